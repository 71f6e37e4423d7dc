"""The coaching app's admin lives beside what it administers: gap rules in ``gaps``, agendas in ``agendas``, the
deal flags' backtest in ``backtest``."""

from coaching.agendas import admin as agendas_admin  # noqa: F401 - registers the agendas' admin
from coaching.backtest import admin as backtest_admin  # noqa: F401 - registers the backtest's overrides
from coaching.gaps import admin as gaps_admin  # noqa: F401 - registers the gap rules' admin
