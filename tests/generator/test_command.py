import io
import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.salesforce.ids import is_valid_id
from sfemulator.generator import (
    GeneratorConfig,
    GeneratorConfigError,
    OrgBuild,
    OrgDirectoryError,
    write_org,
)
from sfemulator.generator import writer as writer_module
from tests.generator.conftest import END

ARGS = ["--reps", "4", "--months", "2", "--seed", "5", "--end", "2026-11-28"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_org", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_an_org_and_prints_a_summary(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    output = run(str(target), *ARGS)
    assert "Opportunity" in output and "OpportunityHistory" in output and "total" in output
    assert "records in" in output and "run_emulator" in output
    opportunities = json.loads((target / "Opportunity.json").read_text(encoding="utf-8"))
    assert f"{len(opportunities):,}" in output
    assert stat.S_IMODE((target / "server.key").stat().st_mode) == 0o600
    manifest = json.loads((target / "generator.json").read_text(encoding="utf-8"))
    assert manifest["arguments"]["reps"] == 4 and manifest["counts"]["Opportunity"] == len(opportunities)
    assert not list(target.glob("*.partial"))


def test_end_defaults_to_today(tmp_path: Path) -> None:
    run(str(tmp_path / "today"), "--reps", "1", "--months", "1")
    manifest = json.loads((tmp_path / "today" / "generator.json").read_text(encoding="utf-8"))
    today = datetime.now(UTC).date().isoformat()
    assert manifest["arguments"]["end"] == today
    assert manifest["as_of"].startswith(today)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reps", "0"], "reps must be a whole number from 1"),
        (["--months", "61"], "months must be a whole number from 1 to 60"),
        (["--months", "0"], "months must be a whole number from 1 to 60"),
        (["--opportunities-per-rep-month", "0"], "opportunities per rep and month"),
        (["--activities-per-opportunity", "-1"], "activities per opportunity"),
        (["--company", "Acme Inc"], "company must be"),
        (["--end", "2026-02-30"], "not a date; write it as YYYY-MM-DD"),
        (["--reps", "many"], "invalid int value"),
    ],
)
def test_bad_arguments_fail_with_a_clear_message_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    target = tmp_path / "org"
    with pytest.raises(CommandError, match=message):
        run(str(target), *args)
    assert not target.exists()


def test_a_non_empty_directory_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match=r"not empty.*--force"):
        run(str(tmp_path), *ARGS)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_force_replaces_the_generated_files_and_keeps_the_rest(tmp_path: Path) -> None:
    run(str(tmp_path), *ARGS)
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "Lead.json").write_text("[]")
    first = (tmp_path / "Opportunity.json").read_bytes()
    output = run(str(tmp_path), *ARGS[:-2], "--seed", "6", "--force")
    assert (tmp_path / "Opportunity.json").read_bytes() != first
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert "Lead.json was already there" in output


@pytest.mark.parametrize("where", ["file", "under_a_file"])
def test_a_target_that_cannot_be_a_directory_is_refused(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    target = blocker if where == "file" else blocker / "org"
    with pytest.raises(CommandError, match=r"is a file, not a directory|cannot create"):
        run(str(target), *ARGS)


def test_a_failure_midway_leaves_the_previous_org_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = GeneratorConfig(reps=3, months=1, seed=1, end=END)
    write_org(config, tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    original = writer_module.OrgBuild.records

    def failing(self: OrgBuild, on_progress: object = None) -> Iterator[tuple[str, dict]]:
        for count, item in enumerate(original(self, on_progress)):
            if count == 150:
                raise OSError(28, "No space left on device")
            yield item

    monkeypatch.setattr(writer_module.OrgBuild, "records", failing)
    with pytest.raises(OSError, match="No space left"):
        write_org(GeneratorConfig(reps=3, months=1, seed=2, end=END), tmp_path, force=True)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_config_and_directory_errors_have_types_callers_can_catch(tmp_path: Path) -> None:
    with pytest.raises(GeneratorConfigError, match="reps"):
        GeneratorConfig(reps=True)
    with pytest.raises(GeneratorConfigError, match="opportunities"):
        GeneratorConfig(opportunities_per_rep_month=float("nan"))
    (tmp_path / "x").write_text("x")
    with pytest.raises(OrgDirectoryError, match="not empty"):
        write_org(GeneratorConfig(reps=1, months=1, end=END), tmp_path)


def test_org_json_holds_working_credentials(small_org_dir: Path) -> None:
    settings = json.loads((small_org_dir / "org.json").read_text(encoding="utf-8"))
    assert is_valid_id(settings["org_id"]) and settings["org_id"].startswith("00D")
    assert settings["instance_url"] == "https://acme.my.salesforce.com"
    users = json.loads((small_org_dir / "User.json").read_text(encoding="utf-8"))
    usernames = {user["Username"] for user in users if user["IsActive"]}
    assert {login["username"] for login in settings["users"]} <= usernames
    assert all(login["password"] and len(login["security_token"]) == 24 for login in settings["users"])
    assert settings["session_ids"][0].startswith(settings["org_id"][:15] + "!")
    app = settings["connected_app"]
    assert app["consumer_key"].startswith("3MVG9") and len(app["consumer_secret"]) == 64

    # The JWT bearer flow: what server.key signs, the connected app's certificate verifies.
    certificate = x509.load_pem_x509_certificate(app["certificate"].encode())
    private_key = serialization.load_pem_private_key((small_org_dir / "server.key").read_bytes(), password=None)
    assert private_key.key_size == 2048
    claims = {
        "iss": app["consumer_key"],
        "sub": settings["users"][0]["username"],
        "aud": "https://login.salesforce.com",
    }
    token = jwt.encode(claims, private_key, algorithm="RS256")
    assert jwt.decode(token, certificate.public_key(), algorithms=["RS256"], audience=claims["aud"]) == claims


def test_write_org_reports_progress_rep_by_rep(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    config = GeneratorConfig(reps=6, months=2, seed=1, end=END)
    summary = write_org(config, tmp_path, on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(done, 6) for done in range(1, 7)]
    assert summary.total_records == sum(summary.counts.values()) > 0
    assert summary.sizes["Task.json"] == (tmp_path / "Task.json").stat().st_size
