"""Several Airflow CLI commands in one Airflow process: `python -m irm.airflow_commands`.

Each `airflow` command pays Airflow's start-up (its CLI, configuration and providers) before it
does anything. Preparing a metadata database is two commands, `db migrate` then `pools import`:
6.2-8.0 s as two processes on this machine, 3.5-3.9 s in one (measured on a new SQLite
database). Each argument is one command line as `airflow` takes it; they run in order through
Airflow's own CLI parser and `args.func`, as `airflow` runs one, and the first that fails
stops the rest (exit code 1). irm.dag_runs runs `dags test` the same way.

    python -m irm.airflow_commands "db migrate" "pools import /tmp/pools.json"
"""

from __future__ import annotations

import shlex
import sys
from argparse import ArgumentParser
from collections.abc import Sequence

MARKER = "[irm.airflow_commands]"


def airflow_parser() -> ArgumentParser:
    """Airflow's CLI parser, after what `airflow` does before a command (a default
    configuration file where there is none)."""
    # Imported here: Airflow reads its configuration at import (the caller's environment:
    # irm.airflow_cli.airflow_environment), and importing this module must stay cheap.
    from airflow.cli import cli_parser
    from airflow.configuration import write_default_airflow_configuration_if_needed

    write_default_airflow_configuration_if_needed()
    return cli_parser.get_parser()


def main(argv: Sequence[str] | None = None) -> int:
    commands = [shlex.split(a) for a in (sys.argv[1:] if argv is None else argv)]
    if not commands or not all(commands):
        print(__doc__, file=sys.stderr)
        return 2
    parser = airflow_parser()
    for command in commands:
        print(f"{MARKER} airflow {shlex.join(command)}", flush=True)
        args = parser.parse_args(command)
        try:
            args.func(args)
        except SystemExit as stop:  # a command that fails may exit so
            if stop.code not in (None, 0):
                print(f"{MARKER} stopped: airflow {shlex.join(command)} failed", flush=True)
                return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
