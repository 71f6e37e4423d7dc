"""``add_org``: each way to connect, re-runs that update, ``--check``, and every bad input refused with a
one-line message (and, run as a process, a non-zero exit and no traceback)."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from crm.models import Org
from integrations.models import SalesforceConnection
from tests.salesforce.conftest import CONSUMER_KEY, INSTANCE_URL, PASSWORD, SESSION_ID, TOKEN, USERNAME

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def add_org(*args: str) -> str:
    out = StringIO()
    call_command("add_org", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as failure:
        add_org(*args)
    message = str(failure.value)
    assert "\n" not in message
    return message


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SF_PASSWORD", PASSWORD)
    monkeypatch.setenv("SF_TOKEN", TOKEN)
    monkeypatch.setenv("SF_SECRET", "consumer-s3cret")
    monkeypatch.setenv("SF_SESSION", SESSION_ID)
    monkeypatch.setenv("SF_EMPTY", "  ")


@pytest.fixture
def key_file(tmp_path: Path, key_pair) -> Path:
    path = tmp_path / "coachapp.key"
    path.write_text(key_pair[0])
    return path


def test_emulator(org_dir: Path) -> None:
    out = add_org("acme", "--emulator", str(org_dir), "--display-name", "Acme Corp")

    connection = SalesforceConnection.objects.get(org__name="acme")
    assert out.startswith("Added org acme: org emulator at") and "jwt login as integration@acme.example" in out
    assert connection.auth_method == "emulator" and connection.credentials["login"] == "jwt"
    assert connection.org.display_name == "Acme Corp"


def test_emulator_with_a_server_url_and_a_login_choice(org_dir: Path) -> None:
    add_org("acme", "--emulator", str(org_dir), "--url", "http://127.0.0.1:8765", "--login", "session")

    connection = SalesforceConnection.objects.get(org__name="acme")
    assert connection.credentials == {
        "login": "session",
        "session_id": SESSION_ID,
        "emulator_dir": str(org_dir.resolve()),
        "emulator_url": "http://127.0.0.1:8765",
    }


def test_jwt(key_file: Path, key_pair) -> None:
    args = [
        "acme",
        "--jwt",
        "--username",
        USERNAME,
        "--consumer-key",
        CONSUMER_KEY,
        "--private-key-file",
        str(key_file),
    ]
    out = add_org(*args, "--sandbox")

    connection = SalesforceConnection.objects.get(org__name="acme")
    assert "OAuth 2.0 JWT bearer as integration@acme.example at test" in out
    assert connection.login_domain == "test"
    assert connection.credentials == {"private_key": key_pair[0]}
    assert key_pair[0].splitlines()[1] not in out


def test_jwt_with_a_my_domain_and_the_documented_option_name(key_file: Path) -> None:
    add_org(
        "acme", "--jwt", "--username", USERNAME, "--consumer-key", CONSUMER_KEY, "--private-key", str(key_file),
        "--domain", "acme.my",
    )  # fmt: skip

    assert SalesforceConnection.objects.get(org__name="acme").login_domain == "acme.my"


@pytest.mark.usefixtures("secrets_env")
def test_password_soap_and_oauth() -> None:
    add_org("acme", "--password", "--username", USERNAME, "--password-env", "SF_PASSWORD", "--token-env", "SF_TOKEN")
    out = add_org(
        "beta", "--password", "--username", USERNAME, "--password-env", "SF_PASSWORD", "--token-env", "SF_TOKEN",
        "--consumer-key", CONSUMER_KEY, "--consumer-secret-env", "SF_SECRET",
    )  # fmt: skip

    soap = SalesforceConnection.objects.get(org__name="acme")
    oauth = SalesforceConnection.objects.get(org__name="beta")
    assert soap.credentials == {"password": PASSWORD, "security_token": TOKEN}
    assert oauth.credentials["consumer_secret"] == "consumer-s3cret" and oauth.consumer_key == CONSUMER_KEY
    assert PASSWORD not in out and TOKEN not in out


@pytest.mark.usefixtures("secrets_env")
def test_session() -> None:
    out = add_org("acme", "--session", "--instance-url", INSTANCE_URL, "--session-id-env", "SF_SESSION")

    connection = SalesforceConnection.objects.get(org__name="acme")
    assert connection.credentials == {"session_id": SESSION_ID}
    assert out == f"Added org acme: existing session at {INSTANCE_URL}.\n"


@pytest.mark.usefixtures("secrets_env")
def test_rerunning_updates_the_connection(org_dir: Path) -> None:
    add_org("acme", "--emulator", str(org_dir))
    first = SalesforceConnection.objects.get(org__name="acme")

    add_org("acme", "--emulator", str(org_dir))
    out = add_org("acme", "--session", "--instance-url", INSTANCE_URL, "--session-id-env", "SF_SESSION")

    after = SalesforceConnection.objects.get(org__name="acme")
    assert out.startswith("Updated org acme")
    assert after.pk == first.pk and Org.objects.count() == 1
    assert after.auth_method == "session" and "emulator_dir" not in after.credentials


def test_check_on_registering(org_dir: Path, emulator) -> None:
    out = add_org("acme", "--emulator", str(org_dir), "--login", "password", "--check")

    assert f"Logged in to {INSTANCE_URL}" in out
    assert "Readable: User, Account, Opportunity." in out
    assert emulator.faults.count("login") == 1


def test_check_of_the_stored_connection(org_dir: Path, emulator) -> None:
    add_org("acme", "--emulator", str(org_dir))

    out = add_org("acme", "--check")

    assert "Logged in to" in out and emulator.faults.count("token") == 1
    assert SalesforceConnection.objects.count() == 1


def test_a_failed_check_saves_nothing(org_dir: Path, emulator) -> None:
    emulator.faults.fail(503, kind="auth", times=None)

    message = refused("acme", "--emulator", str(org_dir), "--check")

    assert "The check of acme failed" in message and "Nothing was saved" in message
    assert not Org.objects.exists()


def test_a_failed_check_of_a_stored_connection_keeps_it(org_dir: Path, emulator) -> None:
    add_org("acme", "--emulator", str(org_dir), "--login", "password")
    connection = SalesforceConnection.objects.get(org__name="acme")
    connection.credentials = {**connection.credentials, "password": "changed-in-salesforce"}
    connection.save()

    message = refused("acme", "--check")

    assert "INVALID_LOGIN" in message and "changed-in-salesforce" not in message
    assert SalesforceConnection.objects.filter(org__name="acme").exists()


@pytest.mark.usefixtures("secrets_env")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["acme"], "Say how to connect"),
        (["acme", "--check"], "No org 'acme'"),
        (["acme!", "--session"], "must be a short slug"),
        (["acme", "--emulator", "/nonexistent/org"], "does not exist"),
        (["acme", "--jwt", "--username", USERNAME, "--consumer-key", "k"], "--private-key-file FILE is required"),
        (["acme", "--jwt", "--username", USERNAME, "--consumer-key", "k", "--private-key-file", "/no/key"],
         "no such file"),
        (["acme", "--jwt", "--consumer-key", "k", "--private-key-file", "{key}"], "--username"),
        (["acme", "--jwt", "--username", USERNAME, "--private-key-file", "{key}"], "--consumer-key"),
        (["acme", "--jwt", "--username", "u", "--consumer-key", "k", "--private-key-file", "{dir}"], "cannot be read"),
        (["acme", "--password", "--username", USERNAME, "--token-env", "SF_TOKEN"], "--password-env VAR is required"),
        (["acme", "--password", "--username", USERNAME, "--password-env", "SF_NOPE", "--token-env", "SF_TOKEN"],
         "SF_NOPE is not set"),
        (["acme", "--password", "--username", USERNAME, "--password-env", "SF_EMPTY", "--token-env", "SF_TOKEN"],
         "SF_EMPTY is empty"),
        (["acme", "--password", "--username", USERNAME, "--password-env", "SF_PASSWORD", "--token-env", "SF_TOKEN",
          "--consumer-key", "k"], "both the consumer key and the consumer secret"),
        (["acme", "--session", "--instance-url", "http://acme.my.salesforce.com", "--session-id-env", "SF_SESSION"],
         "must be a https URL"),
        (["acme", "--session", "--instance-url", INSTANCE_URL], "--session-id-env VAR is required"),
        (["acme", "--session", "--instance-url", INSTANCE_URL, "--session-id-env", "SF_SESSION", "--username", "u"],
         "--username cannot be used with --session"),
        (["acme", "--emulator", "{org}", "--consumer-key", "k", "--sandbox"],
         "--consumer-key, --sandbox cannot be used"),
        (["acme", "--jwt", "--username", "u", "--consumer-key", "k", "--private-key-file", "{key}", "--url", "http://x"],
         "--url cannot be used with --jwt"),
        (["acme", "--emulator", "{org}", "--api-reserve-percent", "100"], "percentage from 0 to 99"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message(args, expected, key_file: Path, org_dir: Path, tmp_path) -> None:
    filled = [arg.format(key=key_file, org=org_dir, dir=tmp_path) for arg in args]

    assert expected in refused(*filled)
    assert not SalesforceConnection.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["acme", "--jwt", "--password"],
        ["acme", "--jwt", "--sandbox", "--domain", "acme.my"],
        ["acme", "--emulator"],
        ["acme", "--session", "--session-id", "literal-secret"],  # secrets are never arguments
        ["acme", "--api-reserve-percent", "ten"],
    ],
)
def test_argument_errors_are_refused(args) -> None:
    with pytest.raises(CommandError):
        call_command("add_org", *args)


# --- As a process: exit codes and output -----------------------------------------------------------------


@pytest.fixture(scope="module")
def process_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for manage.py processes on their own migrated SQLite database."""
    path = tmp_path_factory.mktemp("add-org-db") / "coachapp.sqlite3"
    env = {**os.environ, "DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    return env


@pytest.fixture
def manage(process_db: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "add_org", *args],
            cwd=ROOT,
            env={**process_db, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def test_process_succeeds_and_checks(manage, org_dir: Path) -> None:
    added = manage("acme", "--emulator", str(org_dir), "--check")
    again = manage("acme", "--emulator", str(org_dir))

    assert added.returncode == 0, added.stderr
    assert "Logged in to" in added.stdout and "Added org acme" in added.stdout
    assert again.returncode == 0 and again.stdout.startswith("Updated org acme")


def test_process_bad_input_exits_1_with_one_line_and_no_traceback(manage, key_file: Path) -> None:
    result = manage(
        "acme", "--password", "--username", USERNAME, "--password-env", "SF_UNSET_VARIABLE", "--token-env", "SF_TOKEN"
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "CommandError: --password-env SF_UNSET_VARIABLE: the environment variable SF_UNSET_VARIABLE is not set."
    ]


def test_process_refused_login_exits_1(manage, org_dir: Path) -> None:
    assert manage("acme", "--emulator", str(org_dir), "--login", "password").returncode == 0
    settings = json.loads((org_dir / "org.json").read_text())
    for user in settings["users"]:
        user["password"] = "rotated-in-salesforce"
    (org_dir / "org.json").write_text(json.dumps(settings))

    result = manage("acme", "--check")

    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("CommandError: The check of acme failed: Salesforce refused the login")
    assert "INVALID_LOGIN" in line and PASSWORD not in line


def test_process_argument_error_exits_2_with_usage(manage) -> None:
    result = manage("acme", "--jwt", "--password")

    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr and "Traceback" not in result.stderr
