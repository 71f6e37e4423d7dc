import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sfemulator.generator import OBJECTS, GeneratorConfig, generate, write_org
from tests.generator.conftest import END


def _files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_same_arguments_write_byte_identical_files(tmp_path: Path) -> None:
    config = GeneratorConfig(reps=5, months=3, seed=11, end=END)
    write_org(config, tmp_path / "first")
    write_org(config, tmp_path / "second")
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert set(first) == {f"{name}.json" for name in OBJECTS} | {"org.json", "server.key", "generator.json"}
    assert first == second


def test_a_different_seed_gives_a_different_org(tmp_path: Path) -> None:
    config = GeneratorConfig(reps=5, months=3, seed=11, end=END)
    write_org(config, tmp_path / "first")
    write_org(replace(config, seed=12), tmp_path / "second")
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    for name in ("Opportunity.json", "Task.json", "User.json", "org.json", "server.key"):
        assert first[name] != second[name], name


def test_a_different_end_moves_the_dates(tmp_path: Path) -> None:
    config = GeneratorConfig(reps=4, months=2, seed=11, end=END)
    early = [record for _, record in generate(replace(config, end=END - timedelta(days=30)))]
    late = [record for _, record in generate(config)]
    assert max(record.get("CreatedDate", "") for record in early) < "2026-10-30"
    assert max(record.get("CreatedDate", "") for record in late) > "2026-11-20"


def test_the_stream_and_the_files_hold_the_same_records(small_config: GeneratorConfig, small_org_dir: Path) -> None:
    streamed: dict[str, list] = {name: [] for name in OBJECTS}
    for sobject, record in generate(small_config):
        streamed[sobject].append(record)
    for name in OBJECTS:
        on_disk = json.loads((small_org_dir / f"{name}.json").read_text(encoding="utf-8"))
        assert on_disk == json.loads(json.dumps(streamed[name])), name


def test_files_are_json_arrays_with_one_record_per_line(small_org_dir: Path) -> None:
    text = (small_org_dir / "Opportunity.json").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert all(line.startswith('{"attributes":{"type":"Opportunity"}') for line in lines[1:-1])
