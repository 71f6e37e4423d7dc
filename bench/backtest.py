"""The deal-flag backtest: is the win probability better than the stage's, does the stated stake rank the
revenue actually lost, and what does the weekly update cost on a 1,000-rep org?

    .venv/bin/python -m bench backtest [--reps 1000] [--months 12] [--deals-per-month 10]
                                       [--quality-reps 60] [--runs 3] [--reload] [--only quality|cost]

Orgs are generated and COPYed into PostgreSQL (``bench.load``) in their own database
(``BENCH_BACKTEST_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/coachapp_bench_backtest), kept
for the next run with the same arguments.

Quality, on two orgs of ``--quality-reps`` reps and 18 months (the generator as it is, and one whose outcomes
are wired to stale, overdue and single-threaded deals only): the model is fitted as of ``CUT`` (deals closed
by then, week ends before), then judged on the deals open at the 13 week ends after ``CUT`` whose outcome is
known by the org's last day (a held-out later quarter). Brier score and calibration curve of the win
probability beside two baselines: the stage's Probability field, and the rule-only flags (the stage's
probability times the generated orgs' fixed win-rate ratio for each flag the deal carries, learnt from no
org in particular). Stake: at the quarter's first week end, per rep, the stated revenue to win back of the
flagged deals (kept flags only) against the amount of those deals actually lost (Spearman), beside the
gross open amount that the rules priced before.

Cost: ``update_backtest`` (this week's flags stored, every flag re-judged over 52 week ends, the model
refitted) on the big org, ``--runs`` times, each beside one GROUP BY over its OpportunityHistory table.
Targets: Brier better than the stage baseline; stake rank correlation >= 0.5; update under 30 s.
``--only quality`` or ``--only cost`` runs that part alone (the database still holds all three orgs, so the
other part needs no reload later); the targets checked are that part's.
"""

import argparse
import os
import resource
import statistics
import time
from datetime import date, timedelta
from typing import Any

from bench.django_env import load_average, setup_django
from bench.engine import ensure_orgs

END = date(2026, 11, 22)  # a Sunday, fixed so a kept database stays valid
CUT = END - timedelta(weeks=26)
QUARTER = tuple(CUT + timedelta(weeks=week) for week in range(1, 14))
SEED = 11
LINKED = ("stale", "overdue", "single_threaded")
TARGET_SECONDS, TARGET_CORRELATION = 30.0, 0.5


def _url() -> str:
    return os.environ.get("BENCH_BACKTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coachapp_bench_backtest")


def configs(args: argparse.Namespace) -> dict[str, Any]:
    from sfemulator.generator import GeneratorConfig

    def config(reps: int, months: int, deals: float, links: tuple[str, ...] | None) -> GeneratorConfig:
        return GeneratorConfig(
            reps=reps,
            months=months,
            seed=SEED,
            end=END,
            opportunities_per_rep_month=deals,
            activities_per_opportunity=4.0,
            outcome_links=links,
        )

    return {
        "quality-plain": config(args.quality_reps, 18, 6.0, None),
        "quality-wired": config(args.quality_reps, 18, 6.0, LINKED),
        f"cost-{args.reps}": config(args.reps, args.months, args.deals_per_month, None),
    }


def held_out(org: Any) -> dict[str, Any]:
    """Brier scores, calibration curves and the stake correlation on the quarter after CUT."""
    import numpy as np
    import pandas as pd
    from scipy.stats import spearmanr

    from coaching.backtest.flags import BY_KEY
    from coaching.backtest.states import STATES, StateSet, deal_states
    from coaching.backtest.update import backtest
    from coaching.backtest.winmodel import MODEL_FLAGS
    from coaching.metrics.dialect import fetch

    trained = backtest(org, CUT)
    model = trained.model
    kept = {result.flag.key for result in trained.results if result.verdict == "predicts_loss"}
    columns = ["week_end", "opp", "owner", "stage", "amount", "probability", "won", *MODEL_FLAGS]
    with deal_states(StateSet(org, QUARTER, closed_by=END)):
        rows = fetch(f"SELECT {', '.join(columns)} FROM {STATES}", [])
    frame = pd.DataFrame(rows, columns=columns)
    frame["amount"] = frame["amount"].astype(float).fillna(0.0)
    frame["probability"] = frame["probability"].astype(float).fillna(0.0)
    flags = [{key: int(getattr(row, key)) for key in MODEL_FLAGS} for row in frame.itertuples(index=False)]
    p_model = np.array(
        [
            model.probability(stage, f, owner)
            for stage, f, owner in zip(frame["stage"], flags, frame["owner"], strict=True)
        ]
    )
    p_stage = (frame["probability"] / 100.0).clip(0.0, 1.0).to_numpy()
    ratio = np.ones(len(frame))
    for key in MODEL_FLAGS:
        flagged, unflagged = BY_KEY[key].prior
        ratio *= np.where(frame[key].to_numpy() == 1, flagged / unflagged, 1.0)
    p_rules = np.clip(p_stage * ratio, 0.0, 1.0)
    won = frame["won"].to_numpy(dtype=float)

    def brier(p: np.ndarray) -> float:
        return float(np.mean((p - won) ** 2))

    def curve(p: np.ndarray) -> list[tuple[float, float, int]]:
        bins = np.minimum((p * 10).astype(int), 9)
        return [
            (float(p[bins == b].mean()), float(won[bins == b].mean()), int((bins == b).sum()))
            for b in range(10)
            if (bins == b).any()
        ]

    # The stake: at the quarter's first week end, deals carrying a kept flag.
    first = frame["week_end"] == frame["week_end"].min()
    stakes = []
    for index in np.flatnonzero(first.to_numpy()):
        row, carried = frame.iloc[index], flags[index]
        on = [key for key in kept if carried[key]]
        if not on:
            continue
        without = model.probability(row["stage"], {**carried, **{key: 0 for key in on}}, row["owner"])
        stakes.append(
            (
                row["owner"],
                row["amount"] * max(0.0, without - p_model[index]),
                row["amount"],
                row["amount"] * (1 - row["won"]),
            )
        )
    by_rep = pd.DataFrame(stakes, columns=["owner", "stated", "gross", "lost"]).groupby("owner").sum()
    rep_rho = spearmanr(by_rep["stated"], by_rep["lost"]).statistic if len(by_rep) > 2 else float("nan")
    gross_rho = spearmanr(by_rep["gross"], by_rep["lost"]).statistic if len(by_rep) > 2 else float("nan")
    deals = pd.DataFrame(stakes, columns=["owner", "stated", "gross", "lost"])
    deal_rho = spearmanr(deals["stated"], deals["lost"]).statistic if len(deals) > 2 else float("nan")
    return {
        "deal_weeks": len(frame),
        "deals": int(frame["opp"].nunique()),
        "kept": sorted(kept),
        "brier": {"model": brier(p_model), "stage": brier(p_stage), "rules": brier(p_rules)},
        "curves": {"model": curve(p_model), "stage": curve(p_stage)},
        "stake": {
            "reps": len(by_rep),
            "flagged deals": len(deals),
            "rep_rho": float(rep_rho),
            "gross_rho": float(gross_rho),
            "deal_rho": float(deal_rho),
        },
    }


def history_group_by(org: Any) -> float:
    from django.db import connection

    from crm.models import OpportunityChange

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT opportunity_sf_id, count(*) FROM {OpportunityChange._meta.db_table} WHERE org_id = %s"
            " GROUP BY opportunity_sf_id",
            [org.pk],
        )
        cursor.fetchall()
    return time.perf_counter() - began


def timed_update(org: Any) -> tuple[float, Any]:
    from coaching.backtest.update import update_backtest

    began = time.perf_counter()
    run = update_backtest(org, END)
    return time.perf_counter() - began, run


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench backtest", description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--deals-per-month", type=float, default=10.0)
    parser.add_argument("--quality-reps", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--only", choices=("quality", "cost"), help="Run one part only.")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    url = _url()
    setup_django(url)
    from bench.engine import org_size

    print(f"machine: {os.cpu_count()} cores, load average {load_average()} at the start")
    orgs = {name: loaded.org for name, loaded in ensure_orgs(url, configs(args), reload=args.reload).items()}
    ok = True
    for name in ("quality-plain", "quality-wired") if args.only != "cost" else ():
        result = held_out(orgs[name])
        b, s = result["brier"], result["stake"]
        print(
            f"\n{name}: held-out quarter after {CUT}: {result['deal_weeks']:,} deal-weeks of {result['deals']:,}"
            f" deals; flags kept as of the cut: {', '.join(result['kept']) or 'none'}"
        )
        print(
            f"  Brier: win model {b['model']:.4f}, stage Probability {b['stage']:.4f}, rule-only flags {b['rules']:.4f}"
        )
        for label in ("model", "stage"):
            points = "; ".join(f"{p:.2f}->{o:.2f} ({n})" for p, o, n in result["curves"][label])
            print(f"  calibration ({label}: predicted->observed (deal-weeks)): {points}")
        print(
            f"  stake vs revenue lost, Spearman: per rep {s['rep_rho']:.2f} over {s['reps']} reps"
            f" (gross open amount: {s['gross_rho']:.2f}); per deal {s['deal_rho']:.2f} over {s['flagged deals']}"
        )
        ok &= b["model"] < b["stage"] and s["rep_rho"] >= TARGET_CORRELATION
    if args.only == "quality":
        print("targets met" if ok else "a target was missed")
        return 0 if ok else 1
    big = orgs[f"cost-{args.reps}"]
    size = org_size(big)
    print(f"\n{big.name}: " + ", ".join(f"{count:,} {name}" for name, count in size.items()))
    baselines, updates = [], []
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for number in range(1, args.runs + 1):
        baselines.append(history_group_by(big))
        seconds, run = timed_update(big)
        updates.append(seconds)
        print(
            f"run {number}: GROUP BY over history {baselines[-1]:.2f} s; weekly backtest update {seconds:.1f} s"
            f" ({run.seen.deal_weeks:,} deal-weeks of {run.seen.deals:,} closed deals, {run.stored_flags:,}"
            f" flags stored; load average {load_average()})",
            flush=True,
        )
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    median_update, median_base = statistics.median(updates), statistics.median(baselines)
    print(
        f"median: update {median_update:.1f} s = {median_update / median_base:.0f}x one GROUP BY over history"
        f" table ({median_base:.2f} s); peak RSS grew {(rss_after - rss_before) / 1024:.0f} MB during the runs"
    )
    ok &= median_update < TARGET_SECONDS
    print("targets met" if ok else "a target was missed")
    return 0 if ok else 1
