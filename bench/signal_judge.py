"""One engine's verdicts on orgs already in the database: ``python -m bench.signal_judge ORG… --out FILE``.

The signal benchmark runs this in-process for the current code, and in a subprocess inside an unpacked
copy of an older commit (``--compare REF``) for the "before" figures of the same run: the same orgs, the same
database, the other engine. It must therefore import nothing that older commits lack: Django, the gaps'
``build_week`` and the models only.
"""

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any


def judge(names: list[str], as_of: date) -> dict[str, Any]:
    """Per org: the reps judged, the flags raised, the silences, and the seconds the gaps stage took."""
    from coaching.gaps.evaluate import build_week, ensure_snapshots
    from coaching.models import Gap, MetricSnapshot

    try:
        from crm.models import Org
    except ImportError:  # an engine from before the crm app (bench signal --compare with an older commit)
        from coaching.models import Org

    week = as_of - timedelta(days=as_of.weekday())
    verdicts = {}
    for name in names:
        org = Org.objects.get(name=name)
        Gap.objects.filter(org=org, week_start=week).delete()
        MetricSnapshot.objects.filter(org=org, week_start=week).delete()
        began = time.perf_counter()
        ensure_snapshots(org, week, as_of)
        metrics_seconds = time.perf_counter() - began
        began = time.perf_counter()
        built = build_week(org, week, as_of=as_of, today=as_of)
        gaps_seconds = time.perf_counter() - began
        judged = sorted(
            set(MetricSnapshot.objects.filter(org=org, week_start=week).values_list("person_sf_id", flat=True))
        )
        verdicts[name] = {
            "judged": judged,
            "flags": [[gap.person_sf_id, gap.code, gap.is_strength] for gap in built.gaps],
            "confidence": [gap.confidence for gap in built.gaps],
            "silenced": [str(silence) for silence in built.silenced],
            "metrics_seconds": metrics_seconds,
            "gaps_seconds": gaps_seconds,
        }
    return verdicts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.signal_judge")
    parser.add_argument("orgs", nargs="+")
    parser.add_argument("--as-of", required=True, type=date.fromisoformat)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachapp.settings")
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(Path.cwd()))
    import django

    django.setup()
    args.out.write_text(json.dumps(judge(args.orgs, args.as_of)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
