"""How long a real org takes to answer, so that a benchmark on one machine sees Salesforce's speed.

A local emulator answers a 2,000-record page in milliseconds; a real org takes hundreds of milliseconds to
seconds. The model charges every request a round trip, every record a reply carries a transfer time
(JSON rows cost more than CSV rows), and a Bulk API 2.0 query job a queue wait plus processing time per
record before it completes. It is off unless asked for (``OrgEmulator(latency=...)``,
``run_emulator --latency realistic``): tests run at full speed.

The "realistic" figures are assumptions from published measurements and connector experience, not a
measurement of any one org: about 0.6 s for a REST page of 2,000 records, a query job that waits a few
seconds in the queue and then processes ~20,000 records/s, and CSV downloads at ~50,000 records/s.
"""

import time
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Latency:
    round_trip: float = 0.0  # seconds added to every request
    rest_record: float = 0.0  # seconds per record in a REST query page (JSON)
    bulk_queue: float = 0.0  # seconds a query job waits (UploadComplete) before it runs
    bulk_record: float = 0.0  # seconds of job processing (InProgress) per record the query selects
    csv_record: float = 0.0  # seconds per record of a Bulk results download (CSV)

    @property
    def enabled(self) -> bool:
        return any(asdict(self).values())

    def reply_seconds(self, kind: str, records: int) -> float:
        per_record = self.csv_record if kind == "bulk_results" else self.rest_record
        return self.round_trip + records * per_record

    def wait(self, kind: str, records: int) -> None:
        seconds = self.reply_seconds(kind, records)
        if seconds > 0:
            time.sleep(seconds)

    def describe(self) -> str:
        return ", ".join(f"{name}={value:g}s" for name, value in asdict(self).items())


PROFILES: dict[str, Latency] = {
    "off": Latency(),
    "realistic": Latency(round_trip=0.2, rest_record=0.0002, bulk_queue=3.0, bulk_record=0.00005, csv_record=0.00002),
}


def latency_profile(name: str) -> Latency:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"latency profile must be one of {', '.join(PROFILES)}, not {name!r}") from None
