"""Demo orgs for the emulator: a realistic sales org with reps who differ, as an org directory or a stream.

``generate(config)`` streams (sObject, record) pairs; ``write_org(config, directory)`` writes the org
directory (one ``<SObject>.json`` per object, ``org.json``, ``server.key``, ``generator.json``); the
``generate_org`` management command wraps it.
"""

from integrations.emulator.generator.config import GeneratorConfig, GeneratorConfigError
from integrations.emulator.generator.org import OBJECTS, OrgBuild, generate
from integrations.emulator.generator.writer import OrgDirectoryError, WriteSummary, write_org

__all__ = [
    "OBJECTS",
    "GeneratorConfig",
    "GeneratorConfigError",
    "OrgBuild",
    "OrgDirectoryError",
    "WriteSummary",
    "generate",
    "write_org",
]
