"""make demo's own parts: the kept demo login, the welcome it prints, and its refusal of a busy port."""

import os
import socket
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import authenticate, get_user_model
from django.http import HttpResponse
from django.urls import path

from scripts import demo_login

ROOT = Path(__file__).resolve().parent.parent

# A URLconf with a page at "/", as the portal will have: see test_welcome_points_at_the_portal_once_it_exists.
urlpatterns = [path("", lambda request: HttpResponse("portal")), path("admin/", admin.site.urls)]
# And one without (a checkout from before the portal): the real URLconf now serves the portal at "/".
ADMIN_ONLY = types.ModuleType("admin_only_urls")
ADMIN_ONLY.urlpatterns = [path("admin/", admin.site.urls)]


def test_password_is_generated_once_and_kept_private(tmp_path):
    password_file = tmp_path / "var" / "demo-login"

    first = demo_login.demo_password(password_file)

    assert len(first) >= 16
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert demo_login.demo_password(password_file) == first
    assert demo_login.demo_password(tmp_path / "other") != first


def test_empty_password_file_gets_a_new_password(tmp_path):
    password_file = tmp_path / "demo-login"
    password_file.write_text("\n")

    password = demo_login.demo_password(password_file)

    assert password
    assert password_file.read_text().strip() == password


@pytest.mark.django_db
def test_demo_login_is_a_superuser_that_logs_in_with_the_kept_password(tmp_path):
    username, password = demo_login.ensure_demo_login(tmp_path / "demo-login")

    user = authenticate(username=username, password=password)
    assert user is not None
    assert user.is_superuser and user.is_staff and user.is_active


@pytest.mark.django_db
def test_rerun_restores_the_kept_password_and_access(tmp_path):
    password_file = tmp_path / "demo-login"
    _, password = demo_login.ensure_demo_login(password_file)
    user = get_user_model().objects.get(username="demo")
    user.set_password("changed-in-the-admin")
    user.is_active = False
    user.save()

    assert demo_login.ensure_demo_login(password_file) == ("demo", password)

    assert authenticate(username="demo", password=password) is not None
    assert get_user_model().objects.filter(username="demo").count() == 1


def test_welcome_points_at_the_admin_while_there_is_no_portal(tmp_path, settings):
    settings.ROOT_URLCONF = ADMIN_ONLY
    text = demo_login.welcome("http://127.0.0.1:8000", "demo", "s3cret", tmp_path / "demo-login")

    assert "Open:    http://127.0.0.1:8000/admin/" in text
    assert "user demo, password s3cret" in text
    assert "portal is in progress" in text


@pytest.mark.urls(__name__)
def test_welcome_points_at_the_portal_once_it_exists(tmp_path):
    text = demo_login.welcome("http://127.0.0.1:8001", "demo", "s3cret", tmp_path / "demo-login")

    assert "Open:    http://127.0.0.1:8001/\n" in text
    assert "in progress" not in text


def test_demo_refuses_a_busy_port_before_touching_anything():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = subprocess.run(
            ["bash", "scripts/demo.sh"],
            cwd=ROOT,
            env={**os.environ, "PY": sys.executable, "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "make demo PORT=" in result.stderr
    assert "==> Database" not in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ready_waits_until_the_server_answers_not_until_it_was_started():
    """Issue 13: make demo printed "ready" about 5 s before the server listened."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from scripts import wait_http

    port = _free_port()
    url = f"http://127.0.0.1:{port}/accounts/signin/"
    assert wait_http.wait(url, timeout=0.5) is False  # nothing listens yet

    class NotFound(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_error(404)

        def log_message(self, *args):
            pass

    started = {}

    def serve_later():
        time.sleep(0.6)
        server = HTTPServer(("127.0.0.1", port), NotFound)
        started["server"] = server
        server.serve_forever()

    thread = threading.Thread(target=serve_later, daemon=True)
    began = time.monotonic()
    thread.start()
    try:
        assert wait_http.wait(url, timeout=10) is True  # an error page is an answer too
        assert time.monotonic() - began >= 0.6
    finally:
        while "server" not in started:
            time.sleep(0.05)
        started["server"].shutdown()


def test_waiting_stops_when_the_server_process_died():
    import time

    from scripts import wait_http

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    began = time.monotonic()
    assert wait_http.wait(f"http://127.0.0.1:{_free_port()}/", timeout=30, pid=dead.pid) is False
    assert time.monotonic() - began < 5
