"""Signal quality of the gap rules: false flags on null orgs, recall and precision of planted traits,
fairness to Enterprise/SMB books and to newcomers, and the public data set with its outcomes permuted.

    make bench ARGS="signal"
    .venv/bin/python -m bench signal [--seeds 3] [--first-seed 1] [--reps 40] [--compare REF] [--reload] [--json FILE]
                                     [--power]

Loads generated orgs (``sfemulator.generator.scenarios``: null, specialists, newcomers, planted; one per
scenario and seed, 12 months ending on ``END``) and the public data set (as it is, and with won/lost
permuted within product x close month, ``bench.public_data``) into its own PostgreSQL database
(``BENCH_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/coachapp_bench_signal), which it keeps.
Each org is judged for the week ending on its last day: metrics, then the gap rules. ``--compare REF``
also judges the same orgs, in the same run, with the engine of the git commit REF (unpacked to a temporary
directory, run in a subprocess against the same database): the "before" column.

Targets (issue 10): null orgs <= 0.10 gaps and <= 0.10 strengths per rep and week; planted labels recalled
>= 0.9 at a gap precision >= 0.8; Enterprise/SMB books and newcomers flagged within noise of the rest
(Fisher exact test, Holm 5 % over the rows); the permuted public data <= 2 gaps (the mean over permutations).
"""

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from bench.django_env import setup_django
from bench.signal_score import Flag, OrgWeek, by_code, fair, group_rates, per_rep, recall_precision

ROOT = Path(__file__).resolve().parent.parent
END = date(2026, 11, 22)  # a Sunday: the judged week is a whole one
SCENARIOS = ("null", "specialists", "newcomers", "planted")
PUBLIC_AS_OF = date(2017, 12, 31)
NEWCOMER_DAYS = 183  # tenure under about one sales cycle and a half (cycles run 40-120 days)
# Strengths on what the permutation of won/lost leaves as it is (deals created, activity, contacts): on the
# permuted data they are the real data's, not false alarms of the permutation test.
UNPERMUTED_STRENGTHS = frozenset({"STRENGTH_NEW_PIPELINE_AMOUNT", "STRENGTH_NEW_OPPORTUNITY_COUNT",
                                  "STRENGTH_ACTIVITIES_PER_WEEK", "STRENGTH_CONTACT_ROLES_PER_DEAL",
                                  "STRENGTH_LATE_STAGE_MEETING_SHARE", "STRENGTH_CONVERSATION_SHARE"})  # fmt: skip
OUTCOME_CODES = ("WIN_RATE_LOW", "DEAL_SIZE_SMALL", "CYCLE_LONG", "PRODUCT_WIN_RATE_LOW", "PIPELINE_COVERAGE_LOW",
                 "NEW_PIPELINE_LOW", "ACTIVITY_LOW")  # fmt: skip


def _database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coachapp_bench_signal")


def generated_orgs(seeds: list[int], reps: int) -> dict[str, Any]:
    from sfemulator.generator import GeneratorConfig

    return {
        f"{scenario}-{seed}": GeneratorConfig(reps=reps, months=12, seed=seed, end=END, scenario=scenario)
        for scenario in SCENARIOS
        for seed in seeds
    }


def answer_keys(configs: dict[str, Any]) -> dict[str, dict[str, dict]]:
    """rep -> what they truly are, per org, from the generator (deterministic by seed, nothing stored)."""
    from sfemulator.generator import OrgBuild

    keys = {}
    for name, config in configs.items():
        manifest = OrgBuild(config).manifest({})
        keys[name] = {rep["id"]: rep["truth"] for rep in manifest["reps"]}
    return keys


def ensure_loaded(configs: dict[str, Any], permutations: list[int], *, reload: bool) -> None:
    from django.core.management import call_command

    from bench.engine import _create_database
    from bench.load import analyze, load_org, loaded_org
    from bench.public_data import load_public_org
    from crm.models import Org

    _create_database(_database_url())
    call_command("migrate", verbosity=0)
    fresh = False
    for name, config in configs.items():
        if not reload and loaded_org(name, config) is not None:
            continue
        Org.objects.filter(name=name).delete()
        print(f"loading {name} ({config.reps} reps, scenario {config.scenario}) …", flush=True)
        load_org(name, config)
        fresh = True
    for name, seed in [("public", None), *((f"public-permuted-{seed}", seed) for seed in permutations)]:
        if reload or not Org.objects.filter(name=name).exists():
            load_public_org(name, permute_seed=seed)
            fresh = True
    if fresh:
        analyze()


def judge_with_ref(ref: str, names: list[str], as_of: date) -> dict[str, Any]:
    """The verdicts of the engine at git commit ``ref``, from an unpacked copy of it, in a subprocess."""
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory(prefix="signal-ref-") as directory:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(directory, filter="data")
        (Path(directory) / "bench" / "signal_judge.py").write_bytes((ROOT / "bench" / "signal_judge.py").read_bytes())
        out = Path(directory) / "verdicts.json"
        subprocess.run(
            [sys.executable, "-m", "bench.signal_judge", *names, "--as-of", as_of.isoformat(), "--out", str(out)],
            cwd=directory,
            check=True,
            env={**os.environ, "PYTHONPATH": directory},
        )
        return json.loads(out.read_text())


def as_weeks(verdicts: dict[str, Any], keys: dict[str, dict[str, dict]]) -> dict[str, OrgWeek]:
    weeks = {}
    for name, verdict in verdicts.items():
        scenario = name.rsplit("-", 1)[0] if not name.startswith("public") else name.split("-")[0]
        weeks[name] = OrgWeek(
            name=name,
            scenario=scenario if name != "public" else "public",
            judged=verdict["judged"],
            truth=keys.get(name, {}),
            flags=[Flag(rep, code, bool(strength)) for rep, code, strength in verdict["flags"]],
        )
    return weeks


def figures(weeks: dict[str, OrgWeek]) -> dict[str, Any]:
    """Every figure the report prints, as JSON."""

    def of(prefix: str) -> list[OrgWeek]:
        return [week for name, week in weeks.items() if name.startswith(prefix + "-")]

    null = of("null")
    gaps_per_rep, rep_weeks = per_rep(null, strengths=False)
    strengths_per_rep, _ = per_rep(null, strengths=True)
    planted = of("planted")
    gaps, strengths = recall_precision(planted, strengths=False), recall_precision(planted, strengths=True)
    specialists, newcomers = of("specialists"), of("newcomers")

    def book(truth: dict) -> str | None:
        return truth.get("book") if truth.get("book") in ("enterprise", "smb") else None

    def tenure(truth: dict) -> str | None:
        return "newcomer" if truth.get("tenure_days", 10_000) < NEWCOMER_DAYS else None

    def rates(selected: list[OrgWeek], group_of) -> dict[str, Any]:
        result = {}
        for code in (None, *OUTCOME_CODES):
            for group, rate in group_rates(selected, group_of, None if code is None else [code]).items():
                result.setdefault(group, {})[code or "any gap"] = {
                    "rate": round(rate.rate, 3), "base": round(rate.base, 3), "z": round(rate.z, 2),
                    "p": round(rate.p, 4), "reps": rate.reps,
                }  # fmt: skip
        return result

    public = weeks.get("public")
    permuted = of("public-permuted")
    real_strengths = {(flag.rep, flag.code) for flag in public.flags if flag.is_strength} if public else set()
    return {
        "null": {
            "rep_weeks": rep_weeks,
            "gaps_per_rep": round(gaps_per_rep, 3),
            "strengths_per_rep": round(strengths_per_rep, 3),
            "by_code": {code: round(rate, 4) for code, rate in by_code(null).items()},
        },
        "planted": {
            "gap_recall": round(gaps.recall, 3),
            "gap_found": [gaps.found, gaps.planted],
            "gap_precision": round(gaps.precision, 3),
            "gap_true": [gaps.true_flags, gaps.flags],
            "strength_recall": round(strengths.recall, 3),
            "strength_found": [strengths.found, strengths.planted],
            "strength_precision": round(strengths.precision, 3),
            "strength_true": [strengths.true_flags, strengths.flags],
            "by_label": {**gaps.by_label, **strengths.by_label},
            "false_by_code": dict(sorted((gaps.false_by_code + strengths.false_by_code).items())),
        },
        "specialists": rates(specialists, book),
        "newcomers": rates(newcomers, tenure),
        "public": {
            "gaps": sum(not flag.is_strength for flag in public.flags) if public else None,
            "strengths": sum(flag.is_strength for flag in public.flags) if public else None,
            "judged": len(public.judged) if public else None,
            "permuted_gaps": [sum(not flag.is_strength for flag in week.flags) for week in permuted],
            "permuted_strengths": [sum(flag.is_strength for flag in week.flags) for week in permuted],
            # Strengths that rest on won/lost: the ones the permutation can call false.
            "permuted_outcome_strengths": [
                sum(flag.is_strength and flag.code not in UNPERMUTED_STRENGTHS for flag in week.flags)
                for week in permuted
            ],
            # Strengths on unpermuted data that the real data raises too, on the same rep.
            "permuted_strengths_as_real": [
                len({(f.rep, f.code) for f in week.flags if f.is_strength} & real_strengths) for week in permuted
            ],
            "permuted_codes": sorted({flag.code for week in permuted for flag in week.flags}),
        },
    }


def check(result: dict[str, Any]) -> dict[str, bool]:
    null, planted, public = result["null"], result["planted"], result["public"]
    permuted = public["permuted_gaps"]
    p_values = [
        row["p"] for block in ("specialists", "newcomers") for group in result[block].values() for row in group.values()
    ]
    return {
        "null gaps <= 0.10 per rep-week": null["gaps_per_rep"] <= 0.10,
        "null strengths <= 0.10 per rep-week": null["strengths_per_rep"] <= 0.10,
        "planted gap recall >= 0.9": planted["gap_recall"] >= 0.9,
        "planted gap precision >= 0.8": planted["gap_precision"] >= 0.8,
        f"specialists and newcomers within noise (exact test, Holm 5 % over {len(p_values)} rows)": fair(p_values),
        "permuted public data <= 2 gaps": bool(permuted) and sum(permuted) / len(permuted) <= 2,
    }


def report(columns: dict[str, dict[str, Any]]) -> None:
    """The figures side by side: one column per engine ("before" first when compared)."""
    names = list(columns)

    def row(label: str, pick) -> None:
        print(f"  {label:<46}" + "".join(f"{_text(pick(columns[name])):>22}" for name in names))

    print(f"  {'':<46}" + "".join(f"{name:>22}" for name in names))
    row("null: gap flags per rep-week", lambda r: r["null"]["gaps_per_rep"])
    row("null: strength flags per rep-week", lambda r: r["null"]["strengths_per_rep"])
    row("null: rep-weeks", lambda r: r["null"]["rep_weeks"])
    planted = (("gap recall", "gap_recall", "gap_found"), ("gap precision", "gap_precision", "gap_true"),
               ("strength recall", "strength_recall", "strength_found"),
               ("strength precision", "strength_precision", "strength_true"))  # fmt: skip
    for label, figure, pair in planted:
        row(f"planted: {label}", lambda r, f=figure, p=pair: f"{r['planted'][f]} {_pair(r['planted'][p])}")
    for block in ("specialists", "newcomers"):
        groups = sorted({group for result in columns.values() for group in result[block]})
        for group in groups:
            for code in ("any gap", *OUTCOME_CODES):
                pick = lambda r, b=block, g=group, c=code: _rate(r[b].get(g, {}).get(c))  # noqa: E731
                row(f"{block}: {group} {code} rate/base", pick)
    row("public data: gaps (strengths)", lambda r: f"{r['public']['gaps']} ({r['public']['strengths']})")
    row("public permuted: gaps per permutation", lambda r: "/".join(map(str, r["public"]["permuted_gaps"])))
    row("public permuted: strengths", lambda r: "/".join(map(str, r["public"]["permuted_strengths"])))
    row("  of which on won/lost (outcome strengths)",
        lambda r: "/".join(map(str, r["public"].get("permuted_outcome_strengths", []))))  # fmt: skip
    row("  of which the real data's too (same rep, rule)",
        lambda r: "/".join(map(str, r["public"].get("permuted_strengths_as_real", []))))  # fmt: skip
    for name in names:
        print(
            f"\n{name}: null flags per rep-week by rule: "
            + ", ".join(f"{code} {rate}" for code, rate in columns[name]["null"]["by_code"].items())
        )
        print(f"{name}: planted, by label [found, planted]: {columns[name]['planted']['by_label']}")
        print(f"{name}: planted, false flags by rule: {columns[name]['planted']['false_by_code']}")
        print(f"{name}: permuted public data, rules that fired: {columns[name]['public']['permuted_codes']}")


def _text(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _pair(pair: list[int]) -> str:
    return f"({pair[0]}/{pair[1]})"


def _rate(row: dict | None) -> str:
    return "-" if row is None else f"{row['rate']:.2f}/{row['base']:.2f} (z {row['z']:+.1f}, p {row['p']:.2f})"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench signal", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="Orgs per scenario (N seeds from --first-seed).")
    parser.add_argument("--first-seed", type=int, default=1, help="The first seed (another set of orgs: 4 with 3).")
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--permutations", type=int, default=3, help="Permuted copies of the public data set.")
    parser.add_argument("--compare", metavar="REF", help="Also judge with the engine of this git commit.")
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--json", type=Path, help="Write the figures there too.")
    parser.add_argument(
        "--power", action="store_true", help="Also the model's power curve per rule (bench.signal_power)."
    )
    parser.add_argument("--replicates", type=int, default=120, help="Simulated standouts per power cell.")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.reps < 4 or args.first_seed < 1:
        parser.error("--seeds and --first-seed must be at least 1 and --reps at least 4")

    setup_django(_database_url())
    from bench.signal_judge import judge

    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    configs = generated_orgs(seeds, args.reps)
    permutations = list(range(1, args.permutations + 1))
    ensure_loaded(configs, permutations, reload=args.reload)
    keys = answer_keys(configs)
    generated = list(configs)
    public = ["public", *(f"public-permuted-{seed}" for seed in permutations)]

    columns: dict[str, dict[str, Any]] = {}
    timings: dict[str, float] = {}
    if args.compare:
        verdicts = judge_with_ref(args.compare, generated, END) | judge_with_ref(args.compare, public, PUBLIC_AS_OF)
        columns[f"before ({args.compare[:10]})"] = figures(as_weeks(verdicts, keys))
        timings["before"] = sum(verdict["gaps_seconds"] for verdict in verdicts.values())
    verdicts = judge(generated, END) | judge(public, PUBLIC_AS_OF)
    weeks = as_weeks(verdicts, keys)
    columns["this engine"] = figures(weeks)
    timings["this engine"] = sum(verdict["gaps_seconds"] for verdict in verdicts.values())
    print(f"\n{len(generated)} generated orgs of {args.reps} reps (seeds {seeds[0]}-{seeds[-1]}), the public data set "
          f"and {args.permutations} permutations of it; one judged week each")  # fmt: skip
    report(columns)
    print("\ngaps stage, all orgs: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))
    power: dict[str, Any] = {}
    if args.power:
        from bench.signal_power import backgrounds, planted_positions, power_table, week_context
        from bench.signal_power import report as power_report

        nulls = [backgrounds(*week_context(name, END)) for name in generated if name.startswith("null-")]
        power = {"table": power_table(nulls, args.replicates), "planted": planted_positions(weeks, END)}
        power_report(power["table"], power["planted"])
    checks = check(columns["this engine"])
    print("targets: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in checks.items()))
    if args.json:
        args.json.write_text(
            json.dumps({"columns": columns, "timings": timings, "checks": checks, "power": power}, indent=1)
        )
    return 0 if all(checks.values()) else 1
