"""The results document (bench/results/<scale>.json), its goals, and the printed table."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).with_name("results")
FULL_BUILD = "dbt full build"
GOALS = {
    "full_build_vs_floor": 1.5,  # dbt full build <= 1.5x the floor (medium; SPEC 10, second wave)
    "incremental_ratio": 1.1,  # daily run at 180 days / at 90 days (SPEC 10, second wave)
    "api_calls_vs_minimum": 1.0,
    "peak_rss_mb": 2048.0,  # at medium
    "dag_parse_seconds": 0.5,
}


def results_path(plan: Any) -> Path:
    if plan.scale == "custom":  # test runs never overwrite the committed results
        return plan.data_root / "results.json"
    return RESULTS_DIR / f"{plan.scale}.json"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "dbt_core": version("dbt-core"),
        "dbt_duckdb": version("dbt-duckdb"),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def stage_seconds(results: dict[str, Any], prefix: str) -> float:
    return sum(s["seconds"] for s in results["stages"] if s["name"].startswith(prefix))


def peak_step_rss(stages: list[dict[str, Any]]) -> float:
    """The largest pipeline step, each measured in its own process (bench/stage.py): the
    bench's own heap and the synthetic world are not the pipeline's memory."""
    steps = [s["step_peak_rss_mb"] for s in stages if s.get("step_peak_rss_mb") is not None]
    return max(steps) if steps else max(s["peak_rss_mb"] for s in stages)


def goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each goal with the measured value and met / missed (and by how much)."""
    full = stage_seconds(results, FULL_BUILD)
    floor_s = results["floor"]["seconds"]
    api = [v["ratio"] for v in results["api_efficiency"].values() if v["ratio"] is not None]
    parse = [t["warm"] for t in results["dag_parse_seconds"].values()]
    measured = {
        "full_build_vs_floor": round(full / floor_s, 2) if floor_s else None,
        "incremental_ratio": results["incremental"]["ratio"],
        "api_calls_vs_minimum": max(api) if api else None,
        "peak_rss_mb": peak_step_rss(results["stages"]),
        "dag_parse_seconds": max(parse) if parse else None,
    }
    out = {}
    for name, limit in GOALS.items():
        value = measured[name]
        met = value is not None and value <= limit
        out[name] = {
            "goal": f"<= {limit}" if name != "dag_parse_seconds" else f"< {limit}",
            "measured": value,
            "met": met,
            "missed_by": None if met or value is None else round(value / limit, 2),
        }
    return out


def commit() -> str:
    """The code measured: HEAD, with `+changes` when the work tree differs from it."""
    git = ["git", "-C", str(REPO)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    if head.returncode:
        return "unknown (not a git checkout)"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def assemble(plan: Any, results: dict[str, Any]) -> dict[str, Any]:
    return {
        "scale": plan.scale,
        "accounts": plan.accounts,
        "history_days": plan.history_days,
        "seed": plan.seed,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": commit(),
        "goals": goals(results),
        **results,
    }


def _mb(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def table(doc: dict[str, Any]) -> str:
    """The printed summary: stages, goals, API efficiency, floor agreement."""
    lines = [
        f"\nBenchmark {doc['scale']}: {doc['accounts']} accounts, {doc['history_days']} days "
        f"({doc['machine']['cpu']}, {doc['machine']['cores']} cores, "
        f"load {doc['machine']['load_average_at_end']})",
        f"{'stage':<62} {'seconds':>9} {'peak RSS MB':>12} {'its process':>12}",
    ]
    lines += [
        f"{s['name'][:62]:<62} {s['seconds']:>9.1f} {s['peak_rss_mb']:>12.0f} "
        f"{_mb(s.get('step_peak_rss_mb')):>12}"
        for s in doc["stages"]
    ]
    lines.append(f"\n{'goal':<24} {'target':>8} {'measured':>10}  result")
    for name, g in doc["goals"].items():
        verdict = "met" if g["met"] else f"MISSED (x{g['missed_by']})"
        lines.append(f"{name:<24} {g['goal']:>8} {g['measured']!s:>10}  {verdict}")
    header = ("API", "accounts", "calls", "units", "minimum", "ratio")
    lines.append("\n{:<10} {:>9} {:>7} {:>7} {:>8} {:>6}".format(*header))
    for source, a in doc["api_efficiency"].items():
        lines.append(
            f"{source:<10} {a['accounts']:>9} {a['calls']:>7} {a['quota_units']:>7} "
            f"{a['minimum_calls']:>8} {a['ratio']!s:>6}"
        )
    lines.append(f"\n{'DAG file (parse s)':<24} {'warm':>6} {'sdk':>6} {'cold':>6}")
    for name, t in doc["dag_parse_seconds"].items():
        lines.append(f"{name:<24} {t['warm']:>6.2f} {t.get('sdk', 0):>6.2f} {t['cold']:>6.2f}")
    lines.append("\nfloor vs dbt marts: " + ", ".join(
        f"{m.split('.')[-1]} {'agrees' if c['agrees'] else 'DIFFERS'}"
        for m, c in doc["floor"]["agreement"].items()
    ))  # fmt: skip
    return "\n".join(lines)
