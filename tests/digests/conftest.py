"""Digest tests: a real SMTP server (aiosmtpd in a thread on a free loopback port), and a small org chart.

The org: director Dana over two frontline managers, Maria (Ana, Ben, Carl, Dee) and Omar (Zed One, Zed Two),
each with a portal account. Agendas come from real gaps through ``build_agendas``, as in production.
"""

import email
import email.policy
import logging
import socket
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User

from coaching.agendas import build_agendas
from coaching.models import Agenda, Family, Membership
from crm.models import Org, Person
from tests.factories import GapFactory, OrgFactory, PersonFactory

WEEK = date(2026, 3, 2)  # a Monday
# Monday 07:00 in New York (the factories' time zone), when a default digest is due.
DUE = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Recorder:
    """An aiosmtpd handler that keeps every message, or answers with an error while told to."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.fail_data: dict[str, list[str]] = {}  # by recipient: error replies to DATA, one used per message
        self.refuse_rcpt: dict[str, str] = {}  # by recipient: the reply to RCPT TO

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if self.fail_data.get(address):
                return self.fail_data[address].pop(0)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server; Django's SMTP backend pointed at it (as EMAIL_URL=smtp://127.0.0.1:PORT would)."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield recorder
    controller.stop()


def received_by(recorder: Recorder, address: str) -> list[EmailMessage]:
    return [message for message in recorder.messages if to_address(message) == address]


@pytest.fixture
def closed_smtp(settings):
    """Django's SMTP backend pointed at a loopback port nothing listens on (connection refused)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://coach.example.com"
    settings.DEFAULT_FROM_EMAIL = "coachapp <digest@coach.example.com>"
    settings.DIGEST_MAX_ATTEMPTS = 3
    settings.DIGEST_RETRY_BASE_SECONDS = 60
    settings.DIGEST_CLAIM_TIMEOUT_SECONDS = 600


@dataclass
class Chart:
    org: Org
    director: Person
    maria: Person
    reps: list[Person]
    omar: Person
    omar_reps: list[Person]
    users: dict[str, User] = field(default_factory=dict)

    def gap(self, rep: Person, code: str = "WIN_RATE_LOW", **fields):
        fields.setdefault("week_start", WEEK)
        fields.setdefault("manager_sf_id", rep.manager_sf_id)
        return GapFactory(org=self.org, person_sf_id=rep.sf_id, code=code, **fields)

    def strength(self, rep: Person, **fields):
        fields.setdefault("week_start", WEEK)
        fields.setdefault("manager_sf_id", rep.manager_sf_id)
        return GapFactory(
            org=self.org,
            person_sf_id=rep.sf_id,
            code="STRENGTH_WIN_RATE",
            is_strength=True,
            family=Family.HOW,
            value=0.45,
            team_value=0.3,
            revenue_at_stake=None,
            **fields,
        )

    def member(self, person: Person, role: str, email: str | None = None) -> User:
        address = f"{person.name.split()[0].lower()}@acme.example" if email is None else email
        user = User.objects.create_user(f"user-{person.sf_id}", email=address)
        Membership.objects.create(user=user, org=self.org, person_sf_id=person.sf_id, role=role)
        self.users[person.sf_id] = user
        return user

    def build(self, week_start: date = WEEK) -> list[Agenda]:
        return build_agendas(self.org, week_start)

    def agenda(self, manager: Person, week_start: date = WEEK) -> Agenda:
        return Agenda.objects.get(org=self.org, manager_sf_id=manager.sf_id, week_start=week_start)


@pytest.fixture
def chart(db) -> Chart:
    org = OrgFactory(name="acme", display_name="Acme")
    director = PersonFactory(org=org, name="Dana Director")
    maria = PersonFactory(org=org, name="Maria Lopez", manager_sf_id=director.sf_id)
    reps = [
        PersonFactory(org=org, name=name, manager_sf_id=maria.sf_id)
        for name in ("Ana Ruiz", "Ben Okafor", "Carl Nystrom", "Dee Patel")
    ]
    omar = PersonFactory(org=org, name="Omar Grant", manager_sf_id=director.sf_id)
    omar_reps = [PersonFactory(org=org, name=f"Zed {n}", manager_sf_id=omar.sf_id) for n in ("One", "Two")]
    chart = Chart(org, director, maria, reps, omar, omar_reps)
    chart.member(maria, Membership.Role.FSM)
    chart.member(omar, Membership.Role.FSM)
    chart.member(director, Membership.Role.DIRECTOR)
    return chart


@pytest.fixture
def busy_week(chart) -> Chart:
    """Gaps for every rep of both teams, a strength, and the week's agendas built."""
    ana, ben, carl, dee = chart.reps
    chart.gap(ana, "WIN_RATE_LOW", family=Family.WHERE)
    chart.gap(ana, "CYCLE_LONG", metric="median_cycle_days", value=95, team_value=60)
    chart.gap(ben, "DEAL_SIZE_SMALL", family=Family.WHAT, metric="median_won_amount", value=8000, team_value=21000)
    chart.gap(carl, "WIN_RATE_LOW")
    chart.strength(dee)
    for rep in chart.omar_reps:
        chart.gap(rep, "WIN_RATE_LOW")
    chart.build()
    return chart


def set_digest_time(chart: Chart, person: Person, *, weekday: int = 0, at: time = time(7), zone: str = "") -> None:
    from coaching.digests.preferences import save_digest_settings

    save_digest_settings(chart.org, person.sf_id, enabled=True, send_weekday=weekday, send_time=at, time_zone=zone)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.hrefs += [value for name, value in attrs if name == "href"]


def html_links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def parts(message: EmailMessage) -> tuple[str, str]:
    """(text, html) of a received multipart/alternative message, with SMTP's CRLF line ends made plain."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


def path_of(url: str) -> str:
    return urlsplit(url).path


def to_address(message: EmailMessage) -> str:
    return message["To"].addresses[0].addr_spec
