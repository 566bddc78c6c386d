"""The `irm` command. Subcommands: `demo`, `up` (the Airflow UI: irm/up.py), `run` (one data
day through Airflow: irm/run_day.py), `bootstrap` (history from the sandbox), `sandbox`
(delegates to the sandbox's own CLI), `load`, `publish`, `export`, and `landing set-aside`
(withdraw a wrong landing partition, audited: irm/landing_admin.py)."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from collections.abc import Sequence
from datetime import date, timedelta

from core.config import airflow_environment, get_settings

# Each command imports what it runs when it runs: `irm --help` and `irm sandbox` start at once,
# and nothing imports Airflow before main() has pointed AIRFLOW_HOME at the data root.


def _demo(args: argparse.Namespace) -> int:
    from irm.demo import DemoOptions, print_result, run_demo

    options = DemoOptions(
        seed=args.seed, accounts=args.accounts, history_days=args.history_days,
        live_days=args.live_days, port=args.port,
    )  # fmt: skip
    print_result(run_demo(options))
    return 0


def _up(args: argparse.Namespace) -> int:
    from irm.demo import DemoOptions
    from irm.up import UpError, UpOptions, run_up

    world = DemoOptions(port=args.sandbox_port)
    try:
        return run_up(UpOptions(ui_port=args.ui_port, world=world))
    except UpError as exc:
        print(f"irm up: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from irm.airflow_cli import AirflowCommandError, prepare
    from irm.demo import WORLD_START, DemoOptions, run_day_in_sandbox
    from irm.run_day import DATA_DAY_DAGS, DayRunError, run_data_day

    def say(message: str) -> None:
        print(f"[irm run] {message}", flush=True)

    settings = get_settings()
    log_dir = settings.data_root / "logs" / "run"
    dags = args.dag or DATA_DAY_DAGS
    # Only the world's length matters here (no history is bootstrapped).
    world = DemoOptions(
        seed=args.seed,
        accounts=args.accounts,
        history_days=args.days,
        live_days=0,
        port=args.sandbox_port or _free_port(),
    )
    last = WORLD_START + timedelta(days=world.days - 1)
    if args.sandbox and not WORLD_START <= args.day <= last:
        print(f"irm run: the sandbox world has the days {WORLD_START} .. {last}", file=sys.stderr)
        return 2
    try:
        say(f"data root: {settings.data_root}; preparing Airflow (metadata database, pools)")
        prepare(settings, log_dir)
        if args.sandbox:
            run_day_in_sandbox(world, settings, args.day, log_dir, say, dags)
        else:
            run_data_day(settings, None, args.day, log_dir, say, dags)
    except (AirflowCommandError, DayRunError) as exc:
        print(f"irm run: {exc}", file=sys.stderr)
        return 1
    return 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bootstrap(args: argparse.Namespace) -> int:
    from irm.bootstrap import bootstrap_from_sandbox, day_range
    from irm.demo import SANDBOX_SECRETS, WORLD_START

    last = WORLD_START + timedelta(days=args.days - 1)
    first = last - timedelta(days=args.history_days - 1)
    report = bootstrap_from_sandbox(
        args.seed, args.accounts, args.days, day_range(first, last), SANDBOX_SECRETS, print
    )
    print(f"landed {len(report.days)} days: {report.days[0]} .. {report.days[-1]}")
    return 0


def _load(args: argparse.Namespace) -> int:
    """What the transform does before dbt: load the pending partitions, score new comments."""
    from irm.tasks import load_raw, score_comments

    print(load_raw())
    print(score_comments())
    return 0


def _publish(args: argparse.Namespace) -> int:
    """The same publication as the DAG's task: through the mart gate (MartGateError names what
    is missing or changed when the marts did not pass it)."""
    from warehouse.publish import publish_marts

    result = publish_marts(require_gate=True)
    print({"path": str(result.path), "rows": result.row_counts})
    return 0


def _export(args: argparse.Namespace) -> int:
    from irm.tasks import export

    print(export(args.day))
    return 0


def _set_aside(args: argparse.Namespace) -> int:
    from irm.landing_admin import SetAsideRefused, set_aside

    try:
        result = set_aside(args.source, args.entity, args.day, args.reason, by=args.by)
    except SetAsideRefused as exc:
        print(f"irm landing set-aside: {exc}", file=sys.stderr)
        return 2
    for part in result.partitions:
        print(f"set aside {part.partition} -> {part.moved_to} ({part.raw_rows_removed} raw rows)")
    print(f"audit log: {result.audit_log}")
    return 0


def _add_landing_commands(sub: argparse._SubParsersAction) -> None:
    landing = sub.add_parser("landing", help="operator commands on the landing zone")
    commands = landing.add_subparsers(dest="landing_command", required=True)
    aside = commands.add_parser(
        "set-aside",
        help="move a wrong partition out of the landing zone (audited) and its rows out of raw",
        description="Move <landing>/<source>/<entity>/dt=<day>/ under <landing>/_set_aside/ "
        "with an audit record, and remove its rows and ledger entry from raw, so the day can "
        "be landed again. Naming any CRM entity sets aside the whole CRM day.",
    )
    aside.add_argument("--source", required=True, help="e.g. crm, youtube")
    aside.add_argument("--entity", required=True, help="e.g. creators, videos; or all")
    aside.add_argument("--day", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    aside.add_argument("--reason", required=True, help="why (kept in the audit record)")
    aside.add_argument("--by", help="who sets it aside (default: the login name)")
    aside.set_defaults(func=_set_aside)


def _add_run_command(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser(
        "run",
        help="run one data day through Airflow: irm_extract for [D, D+1), then irm_transform",
        description="Run data day D through Airflow (`airflow dags test`): irm_extract for the "
        "data interval [D 00:00Z, D+1 00:00Z), landing dt=D, then irm_transform. A run that "
        "would do nothing (a day before the DAGs' start date) fails, saying so. The platforms "
        "are the connections configured (AIRFLOW_CONN_IRM_*, or Airflow's); with --sandbox, a "
        "sandbox world's server with its clock at D, and D's CRM export dropped in the inbox.",
    )
    run.add_argument("--day", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    run.add_argument(
        "--dag", action="append", choices=("irm_extract", "irm_transform"),
        help="only this DAG (repeatable; default: both, in order)",
    )  # fmt: skip
    run.add_argument(
        "--sandbox", action="store_true",
        help="against the sandbox world (the demo's unless --seed/--accounts/--days say)",
    )  # fmt: skip
    run.add_argument("--seed", type=int, default=7)
    run.add_argument("--accounts", type=int, default=40)
    run.add_argument("--days", type=int, default=62, help="the sandbox world's length in days")
    run.add_argument("--sandbox-port", type=int, help="default: a free port")
    run.set_defaults(func=_run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="irm", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a synthetic world end to end through Airflow")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--accounts", type=int, default=40)
    demo.add_argument(
        "--history-days", type=int, default=60, help="days bootstrapped in-process first"
    )
    demo.add_argument("--live-days", type=int, default=2, help="then days run through Airflow")
    demo.add_argument("--port", type=int, default=8765, help="sandbox API port")
    demo.set_defaults(func=_demo)
    up = sub.add_parser(
        "up",
        help="the Airflow UI (http://127.0.0.1:8080) with the DAGs paused, against the sandbox",
    )
    up.add_argument("--ui-port", type=int, default=8080, help="the Airflow UI and REST API")
    # No bare --port: it used to mean the sandbox's, and a UI port given so would move the
    # sandbox instead; argparse refuses it now.
    up.add_argument("--sandbox-port", type=int, default=8765, help="sandbox API port")
    up.set_defaults(func=_up)
    _add_run_command(sub)
    boot = sub.add_parser(
        "bootstrap",
        help="land a sandbox world's past days in-process through the extractors (history)",
    )
    boot.add_argument("--seed", type=int, default=7)
    boot.add_argument("--accounts", type=int, default=40)
    boot.add_argument("--days", type=int, default=62, help="the world's length in days")
    boot.add_argument(
        "--history-days", type=int, default=60, help="how many of its days, up to its last"
    )
    boot.set_defaults(func=_bootstrap)
    sub.add_parser("sandbox", help="the sandbox platform (see `irm sandbox --help`)")
    sub.add_parser(
        "load", help="load pending landing partitions and score new comments"
    ).set_defaults(func=_load)
    sub.add_parser("publish", help="publish the marts to the BI copy").set_defaults(func=_publish)
    export = sub.add_parser("export", help="write the export for a day")
    export.add_argument("day", help="YYYY-MM-DD")
    export.set_defaults(func=_export)
    _add_landing_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    _airflow_home_in_data_root()
    if argv[:1] == ["sandbox"]:
        # The sandbox is the outside world: only this command reaches into it.
        from sandbox.cli import main as sandbox_main

        return sandbox_main(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


def _airflow_home_in_data_root() -> None:
    """This process imports Airflow too (the extractors' connections, the tasks' errors): its
    home and configuration are the data root's, as for every Airflow it starts, never
    ~/airflow (which Airflow would otherwise read, and create)."""
    local = airflow_environment()
    for name in ("AIRFLOW_HOME", "AIRFLOW_CONFIG"):
        os.environ.setdefault(name, local[name])


if __name__ == "__main__":
    sys.exit(main())
