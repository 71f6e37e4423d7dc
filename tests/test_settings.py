import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_an_encryption_key():
    result = _manage("check", DJANGO_DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY is required" in result.stderr


def test_production_settings_pass_check_deploy():
    from cryptography.fernet import Fernet

    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        SECRET_KEY="k3y-" + Fernet.generate_key().decode() + "-Zq9!xR2#mP7$",
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="coach.example.com",
    )
    assert result.returncode == 0, result.stderr + result.stdout
