"""The coaching app's admin lives beside what it administers: gap rules in ``gaps``, agendas in ``agendas``."""

from coaching.agendas import admin as agendas_admin  # noqa: F401 - registers the agendas' admin
from coaching.gaps import admin as gaps_admin  # noqa: F401 - registers the gap rules' admin
