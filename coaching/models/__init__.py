"""What the coaching engine writes and the people who read it: metric snapshots, gaps and their rule settings,
snoozes, agendas with their items, notes, commitments and measured effects, and portal memberships. The CRM data
they are computed from lives in ``crm``; API keys and digest settings live in their delivery apps."""

from coaching.models.access import Membership
from coaching.models.agendas import Agenda, AgendaItem, AgendaNote, CoachingEffect, Commitment, ManagerPreference
from coaching.models.audit import AccessEvent
from coaching.models.backtest import DealFlagWeek, FlagBacktest, WinModel
from coaching.models.calibration import HeldOutItem, LeadingMeasure
from coaching.models.gaps import Family, Gap, GapRuleSetting, Snooze
from coaching.models.metrics import MetricSnapshot
from coaching.models.sharing import OneOnOneShare

__all__ = [
    "AccessEvent",
    "Agenda",
    "AgendaItem",
    "AgendaNote",
    "CoachingEffect",
    "Commitment",
    "DealFlagWeek",
    "Family",
    "FlagBacktest",
    "Gap",
    "GapRuleSetting",
    "HeldOutItem",
    "LeadingMeasure",
    "ManagerPreference",
    "Membership",
    "MetricSnapshot",
    "OneOnOneShare",
    "Snooze",
    "WinModel",
]
