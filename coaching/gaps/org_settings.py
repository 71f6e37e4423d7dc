"""An org's choices about the rules: which are switched off and which thresholds differ from the defaults
(``GapRuleSetting`` rows, edited in the admin)."""

import logging
from dataclasses import dataclass, field
from typing import Any

from coaching.backtest.mute import muted_gap_codes
from coaching.gaps.catalogue import GUARDS, RULES, clean_thresholds
from coaching.gaps.rule import Rule, Thresholds
from coaching.models import GapRuleSetting
from crm.models import Org

log = logging.getLogger(__name__)


@dataclass
class OrgRuleSettings:
    rows: dict[str, tuple[bool, dict[str, Any]]]
    # Overrides that could not be used (saved outside the admin's checks); their defaults apply instead.
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, org: Org) -> "OrgRuleSettings":
        rows = {
            code: (enabled, thresholds or {})
            for code, enabled, thresholds in GapRuleSetting.objects.filter(org=org).values_list(
                "code", "enabled", "thresholds"
            )
        }
        # Deal flags the org's own backtest found to predict nothing are muted (docs/backtest.md).
        for code in muted_gap_codes(org):
            rows[code] = (False, rows.get(code, (True, {}))[1])
        return cls(rows)

    def enabled(self, code: str) -> bool:
        return self.rows.get(code, (True, {}))[0]

    def overrides(self, code: str) -> dict[str, float]:
        raw = self.rows.get(code, (True, {}))[1]
        if not isinstance(raw, dict):
            self._warn(code, f"thresholds {raw!r} are not a JSON object; using the defaults")
            return {}
        clean = {}
        for key, value in raw.items():
            try:
                clean.update(clean_thresholds(code, {key: value}))
            except ValueError as error:
                self._warn(code, f"{error}; using the default for {key}")
        return clean

    def rules(self) -> list[tuple[Rule, Thresholds]]:
        """The enabled rules with this org's thresholds, in catalogue order."""
        return [(rule, rule.thresholds(self.overrides(rule.code))) for rule in RULES if self.enabled(rule.code)]

    def guard(self, code: str) -> Thresholds | None:
        """A guard's thresholds, or None when the org switched it off."""
        if not self.enabled(code):
            return None
        return GUARDS[code].thresholds(self.overrides(code))

    def activity_codes(self) -> tuple[str, ...]:
        return tuple(rule.code for rule in RULES if rule.reads_activity and self.enabled(rule.code))

    def _warn(self, code: str, message: str) -> None:
        text = message if message.startswith(code) else f"{code}: {message}"
        if text not in self.warnings:
            self.warnings.append(text)
            log.warning("gap rule setting ignored: %s", text)
