"""One pipeline step in a fresh process, as an Airflow task runs it: `python -m bench.stage`.

Why a process per step: the bench's own process holds the synthetic world and, were the steps
run inside it, every pandas or DuckDB heap a step left behind, which would be counted in each
later step's memory. A fresh process measures the step alone, and the kernel's high-water marks
(the process's own `VmHWM`, the `ru_maxrss` of the children it waited for, e.g. dbt: see
`max_rss_mb`) are exact where the monitor's 0.2 s sampling can miss a short peak.

    python -m bench.stage <step> '<json list of arguments>'

prints, as its last line of standard output, `{"result": ..., "max_rss_mb": ...}`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.config import get_settings
from irm.dbt_build import DBT_BUILD_FLAGS, DBT_TEST_SCOPE_ENV

DBT = Path(sys.executable).with_name("dbt")


def load(days: list[str] | None = None) -> dict[str, Any]:
    """The load and, as irm_transform runs it next, the scoring of the new comments."""
    from irm.tasks import load_raw, score_comments

    return {"rows": load_raw(days)["rows"], "comments_scored": score_comments()["scored"]}


def validate(days: list[str] | None = None) -> dict[str, Any]:
    from irm.tasks import validate_marts

    return validate_marts(days)


def publish() -> dict[str, Any]:
    from irm.tasks import publish as publish_marts

    return publish_marts()


def dbt_build(full_refresh: bool, log: str) -> dict[str, Any]:
    """`dbt build` (models, seeds and data tests, as the transform runs it), its artefacts kept
    under the bench's data root (dbt_project/target holds the manifest the mart checks read)."""
    settings = get_settings()
    work = settings.data_root / "dbt"
    command = [
        str(DBT), "build", "--project-dir", str(settings.dbt_project_dir),
        "--profiles-dir", str(settings.dbt_project_dir), "--target", "duckdb",
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        *DBT_BUILD_FLAGS,
    ]  # fmt: skip
    if full_refresh:
        command.append("--full-refresh")
    env = {**os.environ, "IRM_WAREHOUSE_PATH": str(settings.warehouse_path), **DBT_TEST_SCOPE_ENV}
    with Path(log).open("a") as out:
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode:
        raise RuntimeError(f"dbt build failed (exit {done.returncode}); see {log}")
    return {"dbt_profile": dbt_profile(work / "target" / "run_results.json")}


def dbt_profile(run_results: Path, slowest: int = 5) -> dict[str, Any]:
    """Where a `dbt build` spent its time, from its run_results.json: models, data tests and
    unit tests (each node's own seconds; dbt runs one at a time here) and the slowest nodes.
    docs/benchmarks.md reads it to say what a change to the daily build bought."""
    document = json.loads(run_results.read_text())
    seconds: dict[str, float] = {}
    for node in document["results"]:
        kind = node["unique_id"].split(".")[0]
        seconds[kind] = seconds.get(kind, 0.0) + node["execution_time"]
    nodes = sorted(document["results"], key=lambda node: -node["execution_time"])
    return {
        "elapsed_s": round(document["elapsed_time"], 1),
        "models_s": round(seconds.get("model", 0.0), 1),
        "data_tests_s": round(seconds.get("test", 0.0), 1),
        "unit_tests_s": round(seconds.get("unit_test", 0.0), 1),
        "slowest": [[n["unique_id"], round(n["execution_time"], 2)] for n in nodes[:slowest]],
    }


def extract(day: str, base_url: str) -> dict[str, Any]:
    """The day's CRM files and every API source through the extractors over HTTP: the
    manifests of each source (they count its API calls)."""
    from extractors import registry
    from irm.airflow_cli import sandbox_credentials
    from irm.demo import SANDBOX_SECRETS
    from irm.tasks import land_files, land_platform

    for source in registry.file_sources():
        land_files(source.name, day)
    manifests = {
        source: land_platform(source, day, credentials)
        for source, credentials in sandbox_credentials(base_url, SANDBOX_SECRETS).items()
    }
    return {"manifests": manifests}


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "load": load,
    "validate": validate,
    "publish": publish,
    "dbt": dbt_build,
    "extract": extract,
}


def max_rss_mb() -> float:
    """The largest resident size this process or any child it waited for reached (KB -> MB).

    Not `ru_maxrss` of this process: Linux carries a parent's high-water mark into a child it
    spawns (across the exec), so a step spawned by a bench holding 2.6 GB reported 2.6 GB.
    `VmHWM` is this process image's own peak. A child's `ru_maxrss` (dbt's) carries this
    small process's mark at most."""
    own = _own_peak_kb()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def _own_peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])  # "VmHWM:   123456 kB"
    raise RuntimeError("no VmHWM in /proc/self/status: the bench measures memory on Linux only")


def run_step(step: str, *arguments: Any) -> tuple[dict[str, Any], float]:
    """Run a step in a fresh process (the bench's side): its result and its peak RSS in MB.
    The environment (the data root the bench points at) is inherited."""
    command = [sys.executable, "-m", "bench.stage", step, json.dumps(arguments)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"bench step {step!r} failed (exit {done.returncode}); see above")
    *printed, last = done.stdout.strip().splitlines() or [""]
    if printed:  # whatever the step printed besides its report
        print("\n".join(printed), flush=True)
    report = json.loads(last)
    return report["result"], report["max_rss_mb"]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    step, arguments = args[0], json.loads(args[1]) if len(args) > 1 else []
    result = STEPS[step](*arguments)
    print(json.dumps({"result": result, "max_rss_mb": max_rss_mb()}, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
