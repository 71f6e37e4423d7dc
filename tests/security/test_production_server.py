"""The production settings served by a real gunicorn (the Dockerfile's command and gunicorn.conf.py): security
headers on pages and the API, ``check --deploy`` clean, and no token in the access log."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from tests.processes import child_database_url, stop, tail

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def production_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_DEBUG"}
    return {
        **env,
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,coach.example.com",
        "DATABASE_URL": child_database_url(),
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(postgres, tmp_path):
    """gunicorn serving the production settings, as the Dockerfile starts it (on a free local port)."""
    port, log = free_port(), tmp_path / "gunicorn.log"
    command = [str(Path(sys.executable).parent / "gunicorn"), "coachapp.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--access-logfile", "-", "--config", "gunicorn.conf.py", "--workers", "1"]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=production_env(), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"gunicorn exited:\n{tail(log)}"
            try:
                requests.get(f"{base}/accounts/signin/", timeout=5, allow_redirects=False)
                break
            except requests.RequestException:  # not listening yet, or still starting up (a busy machine)
                assert time.monotonic() < deadline, f"gunicorn did not answer:\n{tail(log)}"
                time.sleep(0.2)
        yield base, log
    finally:
        stop(process)


# What the proxy sends: the request arrived over TLS (SECURE_PROXY_SSL_HEADER), for the public host name.
BEHIND_TLS = {"X-Forwarded-Proto": "https", "Host": "coach.example.com"}


def test_pages_and_the_api_carry_the_security_headers(server):
    base, _ = server
    for path in ("/accounts/signin/", "/api/v1/ping", "/api/docs/"):
        response = requests.get(f"{base}{path}", headers=BEHIND_TLS, timeout=10, allow_redirects=False)
        headers = response.headers
        assert response.status_code in (200, 401), (path, response.status_code)
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert set(map(str.strip, headers["Cache-Control"].split(","))) >= {"private", "no-store"}, path
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        if path != "/api/docs/":  # drf-spectacular's Swagger UI opens OAuth pop-ups: it sets unsafe-none itself
            assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    signin = requests.get(f"{base}/accounts/signin/", headers=BEHIND_TLS, timeout=10)
    cookie = signin.headers["Set-Cookie"]
    assert "Secure" in cookie and "csrftoken" in cookie


def test_no_page_needs_an_inline_script_or_style(server):
    base, _ = server
    for path in ("/accounts/signin/", "/api/docs/"):
        html = requests.get(f"{base}{path}", headers=BEHIND_TLS, timeout=10).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html and " style=" not in html, path


def test_plain_http_is_sent_to_https(server):
    base, _ = server
    response = requests.get(f"{base}/accounts/signin/", headers={"Host": "coach.example.com"}, allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == "https://coach.example.com/accounts/signin/"


def test_the_access_log_never_shows_an_invite_or_digest_token(server):
    base, log = server
    token = "eyJvIjoxLCJyIjoicmVwIn0:1tSecretTokenPart:abcdefghijklmnop"
    for path in (f"/invite/{token}/", f"/digests/unsubscribe/{token}/", f"/digests/preferences/{token}/?x=1"):
        requests.get(f"{base}{path}", headers={**BEHIND_TLS, "Referer": f"https://coach.example.com{path}"}, timeout=10)
    time.sleep(0.5)  # gunicorn writes the access line after the response
    written = log.read_text()
    assert "/invite/[redacted]/" in written and "/digests/unsubscribe/[redacted]/" in written
    assert token not in written and "SecretTokenPart" not in written


def test_check_deploy_is_clean():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
