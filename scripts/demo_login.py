"""The demo's login and welcome: ``python scripts/demo_login.py PASSWORD_FILE HOST PORT``.

Creates or updates the superuser ``demo`` with a password generated on first use and kept in
PASSWORD_FILE (under var/, never in git), then prints what to open and how to log in.
"""

import os
import secrets
import sys
from pathlib import Path

DEMO_USERNAME = "demo"


def demo_password(password_file: Path) -> str:
    """The demo password kept in ``password_file``, generated and saved (owner-only) on first use."""
    if password_file.exists():
        password = password_file.read_text().strip()
        if password:
            return password
    password = secrets.token_urlsafe(12)
    password_file.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write(password + "\n")
    password_file.chmod(0o600)
    return password


def ensure_demo_login(password_file: Path) -> tuple[str, str]:
    """Create or update the ``demo`` superuser so that it logs in with the kept password."""
    from django.contrib.auth import get_user_model

    password = demo_password(password_file)
    user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
    # Reset every run: a password changed in the admin or an old file would otherwise lock the demo out.
    user.set_password(password)
    user.is_active = user.is_staff = user.is_superuser = True
    user.save()
    return DEMO_USERNAME, password


def entry_path() -> str:
    """Where a person should start: the portal at ``/`` once it exists, the admin until then."""
    from django.urls import Resolver404, resolve

    try:
        resolve("/")
    except Resolver404:
        return "/admin/"
    return "/"


def welcome(base_url: str, username: str, password: str, password_file: Path) -> str:
    path = entry_path()
    lines = [
        "",
        "coachapp demo is ready.",
        f"  Open:    {base_url}{path}",
        f"  Log in:  user {username}, password {password}",
        f"           (kept in {password_file}; delete that file for a new one on the next make demo)",
    ]
    if path == "/admin/":
        lines.append("  The manager portal is in progress; until it lands the admin shows the synced org.")
    lines += ["  Stop with Ctrl-C; make demo again keeps the data and picks up where it left off.", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    import django

    password_file, host, port = Path(argv[0]), argv[1], argv[2]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachapp.settings")
    django.setup()
    username, password = ensure_demo_login(password_file)
    print(welcome(f"http://{host}:{port}", username, password, password_file), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(sys.argv[1:])
