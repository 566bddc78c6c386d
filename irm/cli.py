"""The `irm` command. Subcommands: `demo`, `up`, `bootstrap` (history from the sandbox),
`sandbox` (delegates to the sandbox's own CLI), `load`, `publish`, `export`, and `landing
set-aside` (withdraw a wrong landing partition, audited: irm/landing_admin.py)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date, timedelta


def _demo(args: argparse.Namespace) -> int:
    from irm.demo import DemoOptions, print_result, run_demo

    options = DemoOptions(
        seed=args.seed, accounts=args.accounts, history_days=args.history_days,
        live_days=args.live_days, port=args.port,
    )  # fmt: skip
    print_result(run_demo(options))
    return 0


def _up(args: argparse.Namespace) -> int:
    from irm.demo import DemoOptions, run_up

    return run_up(DemoOptions(port=args.port))


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
    from irm.tasks import load_raw

    print(load_raw())
    return 0


def _publish(args: argparse.Namespace) -> int:
    from irm.tasks import publish

    print(publish())
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
    up = sub.add_parser("up", help="the Airflow UI on localhost:8080, against the sandbox")
    up.add_argument("--port", type=int, default=8765, help="sandbox API port")
    up.set_defaults(func=_up)
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
    sub.add_parser("load", help="load pending landing partitions").set_defaults(func=_load)
    sub.add_parser("publish", help="publish the marts to the BI copy").set_defaults(func=_publish)
    export = sub.add_parser("export", help="write the export for a day")
    export.add_argument("day", help="YYYY-MM-DD")
    export.set_defaults(func=_export)
    _add_landing_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if argv[:1] == ["sandbox"]:
        # The sandbox is the outside world: only this command reaches into it.
        from sandbox.cli import main as sandbox_main

        return sandbox_main(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
