"""The README's "Where things are" lists every top-level package and every app of ours, and nothing that is gone."""

import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]


def mapped_paths() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, re.M)


def test_every_listed_path_exists() -> None:
    missing = [path for path in mapped_paths() if path != "var/" and not (ROOT / path).exists()]
    assert missing == []


def test_every_top_level_package_and_every_app_is_listed() -> None:
    listed = {path.rstrip("/") for path in mapped_paths()}
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    ours = {config.name for config in apps.get_app_configs() if config.name.split(".")[0] in packages}
    app_folders = {name.replace(".", "/") for name in ours}
    assert packages - listed == set()
    assert app_folders - listed == set()
