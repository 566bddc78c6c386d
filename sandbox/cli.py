"""`python -m sandbox ...` (and `irm sandbox ...`, which delegates to `main(argv)`).

serve        --seed --accounts --days [--start-date] [--port] [--host] [--day] [--faults]
             [--api-key] [--daily-quota] [--search-calls] [--instagram-token]
             [--instagram-app-calls] [--instagram-buc-calls] [--tiktok-client-key]
             [--tiktok-client-secret] [--tiktok-daily-quota] [--shop-token]
             [--pid-file] [--background]
stop         --pid-file | --port
clock        [--port] [--host] [--day]       (no --day: print the current day)
write-crm    --seed --accounts --days [--start-date] --inbox [--day] [--bad-rows]
             [--older-templates]
ground-truth --seed --accounts --days [--start-date] [--day] --out [--bad-rows]
             [--comments-window-days]

--faults takes a fault string such as "rate=0.1,5xx=0.05,timeout=0.01" (see sandbox/faults.py).
write-crm gives each file the modification time the platforms' `Date` has for that clock day
(sandbox/clock.py): the export time the pipeline's CRM task checks against the day's window.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from datetime import date

from sandbox.comments import DEFAULT_WINDOW_DAYS
from sandbox.crm import write_crm
from sandbox.faults import FaultConfig, FaultConfigError
from sandbox.ground_truth import write_ground_truth
from sandbox.server import (
    DEFAULT_PORT,
    SETTINGS,
    PlatformSettings,
    default_pid_file,
    fetch_json,
    serve,
    stop,
)
from sandbox.world import DEFAULT_START_DATE, World


def _fault_config(text: str) -> FaultConfig:
    try:
        return FaultConfig.parse(text)
    except FaultConfigError as exc:  # argparse shows this message, naming the bad key or value
        raise argparse.ArgumentTypeError(str(exc)) from None


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share between 0 and 1")
    return value


def _world_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--accounts", type=int, default=100, help="platform accounts")
    parser.add_argument("--days", type=int, default=60, help="days of simulated history")
    parser.add_argument("--start-date", type=date.fromisoformat, default=DEFAULT_START_DATE)


def _server_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--host", default="127.0.0.1")


def _serve_parser(parser: argparse.ArgumentParser) -> None:
    _world_args(parser)
    _server_args(parser)
    parser.add_argument("--day", type=date.fromisoformat, help="initial clock (default: last day)")
    parser.add_argument(
        "--faults",
        type=_fault_config,
        default=FaultConfig(),
        help='fault injection, e.g. "rate=0.1,5xx=0.05,timeout=0.01" (default: none)',
    )
    defaults = PlatformSettings()
    for setting in SETTINGS:
        parser.add_argument(
            setting.flag,
            dest=setting.field,
            type=setting.kind,
            default=getattr(defaults, setting.field),
            help=f"{setting.help} (default: %(default)s)",
        )
    parser.add_argument("--pid-file")
    parser.add_argument("--background", action="store_true", help="detach; print the pid")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sandbox", description="The synthetic outside world.")
    commands = parser.add_subparsers(dest="command", required=True)

    _serve_parser(commands.add_parser("serve", help="serve the platform APIs over HTTP"))

    p = commands.add_parser("stop", help="stop a background server")
    p.add_argument("--pid-file")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="finds the default pid file")

    p = commands.add_parser("clock", help="show or set a running server's simulated day")
    _server_args(p)
    p.add_argument("--day", type=date.fromisoformat)

    p = commands.add_parser("write-crm", help="write the CRM exports into an inbox folder")
    _world_args(p)
    p.add_argument("--inbox", required=True)
    p.add_argument(
        "--day",
        type=date.fromisoformat,
        help="exports as of this day (default: last), modified when the platforms answer for it",
    )
    p.add_argument(
        "--bad-rows", type=_share, default=0.0, help="share of rows made invalid (0 to 1)"
    )
    p.add_argument(
        "--older-templates",
        action="store_true",
        help="the templates before the second wave: no optional columns (commission_rate, utm"
        " columns, a payment's purpose) and no commission payouts (SPEC 3.2)",
    )

    p = commands.add_parser("ground-truth", help="write ground_truth.json as of a day")
    _world_args(p)
    p.add_argument("--day", type=date.fromisoformat, help="default: the world's last day")
    p.add_argument("--out", required=True, help="a .json path or a folder")
    p.add_argument(
        "--bad-rows", type=_share, default=0.0, help="as given to write-crm (lists its rejects)"
    )
    p.add_argument(
        "--comments-window-days",
        type=int,
        default=DEFAULT_WINDOW_DAYS,
        help="record the comments of posts published in this many days up to --day",
    )
    return parser


def _platform_settings(args: argparse.Namespace) -> PlatformSettings:
    return PlatformSettings(**{s.field: getattr(args, s.field) for s in SETTINGS})


def _serve(args: argparse.Namespace) -> int:
    if not args.background:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    pid = serve(
        args.seed,
        args.accounts,
        args.days,
        port=args.port,
        host=args.host,
        day=args.day,
        background=args.background,
        pid_file=args.pid_file,
        start_date=args.start_date,
        settings=_platform_settings(args),
        faults=args.faults,
    )
    if pid is not None:
        pid_file = args.pid_file or default_pid_file(args.port)
        print(f"sandbox started: pid {pid}, http://{args.host}:{args.port}, pid file {pid_file}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "stop":
        pid_file = args.pid_file or default_pid_file(args.port)
        stopped = stop(pid_file)
        print("sandbox stopped" if stopped else f"no running sandbox in {pid_file}")
        return 0
    if args.command == "clock":
        url = f"http://{args.host}:{args.port}/_sandbox/clock"
        answer = fetch_json(url, {"day": args.day.isoformat()} if args.day else None)
        if answer is None:
            print(f"no sandbox answering at {url}")
            return 1
        print(json.dumps(answer))
        return 0 if "day" in answer else 1
    world = World(args.seed, args.accounts, args.days, args.start_date)
    if args.command == "write-crm":
        second_wave = not args.older_templates
        for path in write_crm(world, args.inbox, args.day, args.bad_rows, second_wave):
            print(path)
        return 0
    path = write_ground_truth(
        world,
        args.day or world.end_date,
        args.out,
        bad_row_share=args.bad_rows,
        comments_window_days=args.comments_window_days,
    )
    print(path)
    return 0
