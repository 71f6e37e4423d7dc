"""Template filters for the portal: numbers as a manager reads them, labels, severity shades."""

from datetime import date, datetime
from decimal import Decimal

from django import template

from coaching.agendas.rotation import family_label as _family_label
from coaching.agendas.units import metric_label as _metric_label
from coaching.agendas.units import metric_value as _metric_value
from coaching.agendas.units import money as _money
from coaching.calibration.wording import EffectWords
from coaching.calibration.wording import effect_words as _effect_words
from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.models import CoachingEffect
from coaching.portal.charts import SEVERITY_WORDS, severity_level
from coaching.visibility import Scope

register = template.Library()


@register.filter
def metric_value(value: float | None, metric: str) -> str:
    return _metric_value(metric, value)


@register.filter
def effect_words(effect: CoachingEffect, code: str) -> EffectWords:
    return _effect_words(effect, code)


@register.filter
def metric_label(metric: str) -> str:
    return _metric_label(metric)


@register.filter
def money(amount: float | Decimal | None) -> str:
    return _money(amount)


@register.filter
def family_label(family: str) -> str:
    return _family_label(family) if family else ""


@register.filter
def short_day(day: date | str | None) -> str:
    """23 Nov; a date given as ISO text too (deals in agenda items carry their close date as text)."""
    if not day:
        return ""
    if isinstance(day, str):
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            return day
        day = parsed
    return f"{day.day} {day:%b}"


@register.filter
def long_day(day: date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


@register.filter
def severity_class(severity: float | None) -> str:
    return f"sev-{severity_level(severity)}"


@register.filter
def severity_word(severity: float | None) -> str:
    return SEVERITY_WORDS[severity_level(severity)]


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


@register.filter
def fixed(value: float | None, places: int = 2) -> str:
    """A number with a fixed count of decimals: floatformat's localisation costs a long table dearly."""
    return "" if value is None else f"{value:.{int(places)}f}"


@register.filter
def first_name(name: str) -> str:
    return name.split()[0] if name and name.strip() else name


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def rule_title(code: str) -> str:
    rule = RULES_BY_CODE.get(code)
    return rule.title if rule else code


@register.filter
def count(value: int | None) -> str:
    return "0" if value is None else f"{value:,}"


@register.filter
def took(start: datetime | None, end: datetime | None) -> str:
    """How long from ``start`` to ``end``: "12 s", "3 min 5 s", "1 h 20 min"."""
    if start is None or end is None:
        return ""
    seconds = max(0, round((end - start).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@register.filter
def readable(lines: list[str] | None) -> list[str]:
    """An item's evidence without the ranking arithmetic that agendas built before issue 13 stored in it."""
    return [line for line in lines or [] if not str(line).startswith("Rank score")]


@register.filter
def acts_on(scope: Scope | None, person_sf_id: str) -> bool:
    """Whether to offer what outlives an agenda (snooze, commitment) for this item's rep: the server refuses
    it for a rep no longer in scope (``coaching.visibility.Scope.may_act_on``); a team item has no rep."""
    if scope is None or not person_sf_id:
        return True
    return scope.may_act_on(person_sf_id)
