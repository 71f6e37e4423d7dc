"""Demo orgs for the emulator: a realistic sales org with reps who differ, as an org directory or a stream.

``generate(config)`` streams (sObject, record) pairs; ``write_org(config, directory)`` writes the org
directory (one ``<SObject>.json`` per object, ``org.json``, ``server.key``, ``generator.json``); the
``generate_org`` management command wraps it.
"""

from sfemulator.generator.coaching import CoachingStyles
from sfemulator.generator.coaching_plan import PortalAction, coaching_plan
from sfemulator.generator.config import GeneratorConfig, GeneratorConfigError
from sfemulator.generator.org import OBJECTS, OrgBuild, generate
from sfemulator.generator.writer import OrgDirectoryError, WriteSummary, write_org

__all__ = [
    "OBJECTS",
    "CoachingStyles",
    "GeneratorConfig",
    "GeneratorConfigError",
    "OrgBuild",
    "OrgDirectoryError",
    "PortalAction",
    "WriteSummary",
    "coaching_plan",
    "generate",
    "write_org",
]
