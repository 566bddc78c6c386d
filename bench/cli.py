"""`python -m bench --scale small|medium|large` (`make bench SCALE=...`): SPEC section 10.

Stages, each timed with its peak memory (bench/monitor.py):
  world → history (landed straight from the sandbox, bench/history.py) → load → dbt full build
  (`dbt build --full-refresh`) → validate marts (GX) → publish, each of these pipeline steps in
  its own process as an Airflow task would run it (bench/stage.py);
  then the incremental ratio: a second warehouse holding the first 89 days, built, then one
  daily increment (day 90: load + `dbt build` + validate + publish); and the live day 181:
  extracted through the extractors from a sandbox HTTP server, then the same increment on
  the 180-day warehouse;
  then the floor (bench/floor.sql), its agreement with dbt's marts, API calls against the
  minimum, and DAG parse times. Results: bench/results/<scale>.json and a table.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.monitor import STEP_PEAK, Monitor, say
from core.config import get_settings

REPO = Path(__file__).resolve().parent.parent
SCALES = {"small": 1_000, "medium": 10_000, "large": 50_000}
HISTORY_DAYS = 180
# A stage imports what it runs inside the stage, so the import is timed and measured with it.
SHORT_HISTORY_DAYS = 90  # the incremental ratio: the daily run at 90 vs 180 days of history
WORLD_START = date(2026, 1, 1)


@dataclass(frozen=True)
class Plan:
    scale: str
    seed: int
    accounts: int
    history_days: int
    short_history_days: int
    data_root: Path
    port: int
    workers: int
    parse_repeats: int = 3  # each DAG file's parse times are the median of this many imports

    @property
    def world_days(self) -> int:
        return self.history_days + 1  # the history, then the live day

    def day(self, index: int) -> date:
        return WORLD_START + timedelta(days=index)


def parse_args(argv: Sequence[str] | None) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=8777)
    parser.add_argument("--workers", type=int, default=2, help="history worker processes")
    parser.add_argument("--data-root", type=Path, help="default: <IRM_DATA_ROOT>/bench/<scale>")
    # For tests: a tiny custom world (results then go under the data root, not bench/results).
    parser.add_argument("--accounts", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--days", type=int, help=argparse.SUPPRESS)
    # For tests: each import is a fresh interpreter (3 files x 3 preludes x the repeats).
    parser.add_argument("--parse-repeats", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    days = args.days or HISTORY_DAYS
    base = Path(os.environ.get("IRM_DATA_ROOT", REPO / "data"))
    return Plan(
        scale=args.scale if args.accounts is None and args.days is None else "custom",
        seed=args.seed,
        accounts=args.accounts or SCALES[args.scale],
        history_days=days,
        short_history_days=max(2, round(days * SHORT_HISTORY_DAYS / HISTORY_DAYS)),
        data_root=(args.data_root or base / "bench" / args.scale).resolve(),
        port=args.port,
        workers=args.workers,
        parse_repeats=args.parse_repeats,
    )


def use_data_root(root: Path, landing: Path | None = None) -> None:
    """Point core.config's settings at a data root (the pipeline reads them from the
    environment on every call); the short-history warehouse shares the main landing zone."""
    os.environ["IRM_DATA_ROOT"] = str(root)
    for var in ("IRM_WAREHOUSE_PATH", "IRM_PUBLISHED_PATH", "IRM_CRM_INBOX", "IRM_LANDING_DIR"):
        os.environ.pop(var, None)
    if landing is not None:
        os.environ["IRM_LANDING_DIR"] = str(landing)


def step(monitor: Monitor, name: str, step_name: str, *arguments: Any) -> dict[str, Any]:
    """A stage that is one pipeline step, run in its own process (bench/stage.py)."""
    from bench.stage import run_step

    with monitor.stage(name) as info:
        result, info[STEP_PEAK] = run_step(step_name, *arguments)
        for kept in ("rows", "dbt_profile"):  # what a step reports besides its time
            if kept in result:
                info[kept] = result[kept]
    return result


def increment(monitor: Monitor, label: str, day: date, log: Path) -> dict[str, float]:
    """One daily transform of `day`: load its partitions, dbt build, validate, publish."""
    parts: dict[str, float] = {}
    iso = [day.isoformat()]
    for name, arguments in (
        ("load", [iso]),
        ("dbt", [False, str(log)]),
        ("validate", [iso]),
        ("publish", []),
    ):
        step(monitor, f"{label}: {name}", name, *arguments)
        parts[name] = monitor.stages[-1].seconds
    return parts


def run(plan: Plan) -> dict[str, Any]:
    from bench import history, measures

    use_data_root(plan.data_root)
    if plan.data_root.exists() and any(plan.data_root.iterdir()):
        raise SystemExit(f"{plan.data_root} is not empty: remove it for a clean benchmark")
    plan.data_root.mkdir(parents=True, exist_ok=True)
    log = plan.data_root / "dbt.log"
    landing = plan.data_root / "landing"
    spec = history.WorldSpec(plan.seed, plan.accounts, plan.world_days)
    history_days = [plan.day(i) for i in range(plan.history_days)]
    live_day = plan.day(plan.history_days)
    short_root = plan.data_root / f"history_{plan.short_history_days}d"
    monitor = Monitor()
    results: dict[str, Any] = {}
    try:
        with monitor.stage("world") as info:
            from sandbox.world import World

            world = World(plan.seed, plan.accounts, plan.world_days)
            info.update(world.summary())
        with monitor.stage("history (landed from the sandbox)") as info:
            info["sources"] = history.land_history(spec, history_days, say, plan.workers)
        run_full_build(monitor, log)
        with monitor.stage("rows per table"):
            results["rows"] = measures.table_rows(get_settings().warehouse_path)
        short = run_short_history(monitor, plan, short_root, landing, log)
        use_data_root(plan.data_root)
        live = run_live_day(monitor, plan, world, live_day, log)
        results.update(
            floor=run_floor(monitor, plan, landing),
            incremental=incremental_ratio(short, live["increment"], plan),
            api_efficiency=live["api_efficiency"],
        )
        with monitor.stage("DAG parse times"):
            results["dag_parse_seconds"] = measures.dag_parse_times(
                dict(os.environ), plan.parse_repeats
            )
    finally:
        monitor.close()
    results["stages"] = [s.__dict__ for s in monitor.stages]
    return results


def run_full_build(monitor: Monitor, log: Path) -> None:
    step(monitor, "load (raw)", "load")
    step(monitor, "dbt full build (dbt build --full-refresh)", "dbt", True, str(log))
    step(monitor, "validate marts (GX, includes its import)", "validate")
    step(monitor, "publish", "publish")


def run_short_history(
    monitor: Monitor, plan: Plan, root: Path, landing: Path, log: Path
) -> dict[str, float]:
    """A warehouse of the first N-1 days of the same landing zone, built, then day N as one
    daily increment: the incremental run at the short history length."""
    from bench.stage import run_step

    use_data_root(root, landing)
    n = plan.short_history_days
    with monitor.stage(f"{n - 1}-day warehouse: load + dbt build (setup, not a goal)"):
        run_step("load", [plan.day(i).isoformat() for i in range(n - 1)])
        run_step("dbt", True, str(log))
    return increment(monitor, f"increment at {n}d", plan.day(n - 1), log)


def run_live_day(monitor: Monitor, plan: Plan, world: Any, day: date, log: Path) -> dict[str, Any]:
    """The day after the history through the extractors against a sandbox HTTP server, then
    its increment on the full-history warehouse."""
    from bench import measures
    from bench.stage import run_step
    from extractors import crm, registry
    from irm.demo import DemoOptions, running_sandbox
    from sandbox.crm import write_crm

    settings = get_settings()
    options = DemoOptions(
        seed=plan.seed,
        accounts=plan.accounts,
        history_days=plan.history_days,
        live_days=1,
        port=plan.port,
    )
    with monitor.stage("start the sandbox server (setup)"):
        server = running_sandbox(options, settings, day)
        base_url = server.__enter__()
    try:
        write_crm(world, settings.crm_inbox, day=day)  # the brand's export of the day
        with monitor.stage(f"live day {day}: extract (HTTP)") as info:
            result, info[STEP_PEAK] = run_step("extract", day.isoformat(), base_url)
            manifests = result["manifests"]
            info["api_calls"] = {
                s: sum(m.get("api_calls", 0) for m in e.values()) for s, e in manifests.items()
            }
    finally:
        server.__exit__(None, None, None)
    rosters = {
        s.name: crm.roster(settings, day, s.roster)
        for s in registry.SOURCES
        if s.roster is not None
    }
    minimum = measures.api_minimum(world, day, rosters, settings)
    parts = increment(monitor, f"increment at {plan.history_days}d", day, log)
    return {"increment": parts, "api_efficiency": measures.api_efficiency(manifests, minimum)}


def run_floor(monitor: Monitor, plan: Plan, landing: Path) -> dict[str, Any]:
    from bench import measures

    settings = get_settings()
    floor_db = plan.data_root / "floor.duckdb"
    with monitor.stage("floor (bench/floor.sql on the landing files)") as info:
        info.update(measures.run_floor(landing, settings.dbt_project_dir / "seeds", floor_db))
    floor = dict(monitor.stages[-1].detail)
    with monitor.stage("floor vs dbt marts (comparison)"):
        floor["agreement"] = measures.compare_floor(floor_db, settings.warehouse_path)
    return floor


def incremental_ratio(short: dict[str, float], full: dict[str, float], plan: Plan) -> dict:
    short_total, full_total = sum(short.values()), sum(full.values())
    return {
        f"{plan.short_history_days}d": short,
        f"{plan.history_days + 1}d": full,
        "ratio": round(full_total / short_total, 3) if short_total else None,
        "ratio_dbt_only": round(full["dbt"] / short["dbt"], 3) if short["dbt"] else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    from bench import report

    plan = parse_args(argv)
    say(
        f"scale {plan.scale}: {plan.accounts} accounts, {plan.history_days} days of history; "
        f"data under {plan.data_root}"
    )
    results = run(plan)
    document = report.assemble(plan, results)
    out = report.results_path(plan)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, default=str) + "\n")
    print(report.table(document), flush=True)
    say(f"results: {out}")
    return 0
