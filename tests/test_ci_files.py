"""The glue around the app: CI entry point, Makefile, test runner script, container files and config docs.

Docker cannot run on the development machines, so the container files are checked by reading them.
"""

import ast
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _settings_variables() -> set[str]:
    """Names of the environment variables coachapp/settings.py reads through django-environ."""
    tree = ast.parse((ROOT / "coachapp" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        reads_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        )
        first = node.args[0]
        if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_test_script(*pytest_args: str, ci: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "COACHAPP_TEST_PASS"}}
    env.update(
        PY=sys.executable,
        CI="true" if ci else "",
        TEST_DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/test",
    )
    return subprocess.run(
        ["bash", "scripts/test.sh", *pytest_args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_every_setting_is_documented_in_the_configuration_docs_and_readme():
    variables = _settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= variables  # the parser found them
    for doc in ("docs/configuration.md", "README.md"):
        text = (ROOT / doc).read_text()
        missing = sorted(name for name in variables if f"`{name}`" not in text)
        assert not missing, f"{doc} does not describe {missing}; add a row for each (default and meaning)."


def test_readme_configuration_table_lists_only_real_settings():
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", (ROOT / "README.md").read_text(), flags=re.MULTILINE)
    assert rows
    assert sorted(set(rows) - _settings_variables()) == []


def test_compose_runs_the_app_roles_beside_postgres_and_redis():
    services = _compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "gunicorn coachapp.wsgi --bind 0.0.0.0:8000" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "coachapp", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "coachapp", "beat"]


def test_compose_publishes_the_web_port_on_localhost_only_by_default():
    # Django trusts the proxy's X-Forwarded-Proto: only safe when the proxy is the only way in.
    [port] = _compose()["services"]["web"]["ports"]
    assert port == "${WEB_BIND:-127.0.0.1}:${WEB_PORT:-8000}:8000"
    for name in ("postgres", "redis", "worker", "beat"):
        assert "ports" not in _compose()["services"][name]


def test_compose_starts_each_service_after_what_it_needs_is_healthy():
    services = _compose()["services"]
    for name in ("postgres", "redis", "web"):
        assert services[name]["healthcheck"]["test"], f"{name} has no health check"
    assert services["web"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("worker", "beat"):
        assert services[name]["depends_on"] == {"web": {"condition": "service_healthy"}}
        # The image's own check probes the web port, which these roles never open.
        assert services[name]["healthcheck"] == {"disable": True}


def test_compose_takes_secrets_from_the_env_file_only():
    compose = _compose()
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        assert service["env_file"] == ".env"
        assert not {"SECRET_KEY", "FIELD_ENCRYPTION_KEY"} & set(service["environment"])
        assert "${POSTGRES_PASSWORD:?" in service["environment"]["DATABASE_URL"]
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]


def test_dockerfile_builds_a_slim_non_root_gunicorn_image():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    assert "RUN pip install --no-cache-dir -r requirements.txt" in instructions
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert any("collectstatic --noinput" in line for line in instructions)
    cmd = next(line for line in reversed(instructions) if line.startswith("CMD "))
    assert '"gunicorn", "coachapp.wsgi", "--bind", "0.0.0.0:8000"' in cmd
    assert any(line.startswith("HEALTHCHECK ") for line in instructions)


def test_dockerfile_keeps_no_secret_in_the_image_environment():
    text = (ROOT / "Dockerfile").read_text()
    assert not re.search(r"^\s*(ENV|ARG)\b[^\n]*(SECRET_KEY|FIELD_ENCRYPTION_KEY)", text, flags=re.MULTILINE)


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    entries = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", "var", "staticfiles"} <= entries


def test_ci_run_is_valid_bash_that_starts_the_services_then_lints_and_tests():
    script = (ROOT / ".ci" / "run").read_text()
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], capture_output=True).returncode == 0
    assert "set -euo pipefail" in script
    assert "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start" in script
    assert (
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
        "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
    ) in script
    assert script.index("make lint") < script.index("make test")


def test_makefile_defines_the_daily_targets():
    result = subprocess.run(["make", "--dry-run", "help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), flags=re.MULTILINE))
    expected = {"venv", "demo", "test", "lint", "format", "bench", "migrate", "worker", "beat", "emulator", "clean"}
    assert expected <= targets


def test_lint_type_checks_after_ruff():
    result = subprocess.run(["make", "--dry-run", "lint"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    commands = [line.split()[0].rsplit("/", 1)[-1] for line in result.stdout.splitlines() if line.strip()]
    lint = [command for command in commands if command in ("ruff", "mypy")]
    assert lint == ["ruff", "ruff", "mypy"]


def test_test_script_reports_the_pytest_summary_of_a_passing_run():
    result = _run_test_script("tests/test_settings.py::test_production_refuses_to_start_without_a_secret_key", ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout[result.stdout.index("make test: summary") :]
    assert re.search(r"^=+ 1 passed in [0-9.]+s =+$", summary, flags=re.MULTILINE)
    assert "PostgreSQL pass skipped" in result.stdout


def test_test_script_fails_when_no_test_is_collected():
    result = _run_test_script("-k", "no_test_has_this_name_zq", ci=False)
    assert result.returncode == 1
    assert "collected no tests; that is a failure" in result.stderr


def test_test_script_in_ci_fails_when_postgres_does_not_answer():
    result = _run_test_script("tests/test_settings.py::test_production_refuses_to_start_without_a_secret_key", ci=True)
    assert result.returncode == 1
    assert "PostgreSQL does not answer" in result.stderr
