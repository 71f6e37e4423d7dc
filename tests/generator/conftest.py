from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sfemulator.generator import GeneratorConfig, OrgBuild, write_org

END = date(2026, 11, 28)  # a Saturday: the org's current week ends on a weekend, as real weeks do

Records = dict[str, list[dict[str, Any]]]


def collect(config: GeneratorConfig) -> tuple[Records, OrgBuild]:
    build = OrgBuild(config)
    records: Records = defaultdict(list)
    for sobject, record in build.records():
        records[sobject].append(record)
    return records, build


@pytest.fixture(scope="session")
def small_config() -> GeneratorConfig:
    return GeneratorConfig(reps=12, months=6, seed=7, end=END, opportunities_per_rep_month=4)


@pytest.fixture(scope="session")
def small_org(small_config: GeneratorConfig) -> tuple[Records, OrgBuild]:
    return collect(small_config)


@pytest.fixture(scope="session")
def team_org() -> tuple[Records, OrgBuild]:
    """Two dozen reps over a year: enough deals per rep for their traits to show in aggregate."""
    return collect(GeneratorConfig(reps=24, months=12, seed=3, end=END))


@pytest.fixture(scope="session")
def small_org_dir(small_config: GeneratorConfig, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("org") / "acme"
    write_org(small_config, directory)
    return directory
