"""Stage timing, peak memory and the progress display.

Stages run in this process (the world, the floor), in worker processes (history) and in
subprocesses (the pipeline's steps, bench/stage.py; the sandbox server): `ru_maxrss` would give
one peak for the whole run, so a thread samples the resident memory of this process plus all
its descendants (psutil) every 0.2 s, and each stage keeps the highest sum it saw (the bench's
own heap included). Short peaks between two samples can be missed. A pipeline step also reports
its own process's exact peak (`step_peak_rss_mb`); the memory goal is judged on those.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psutil

SAMPLE_SECONDS = 0.2
HEARTBEAT_SECONDS = 30.0
STEP_PEAK = "step_peak_rss_mb"  # the key a stage's block sets (bench/stage.py's measure)


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def tree_rss_bytes(process: psutil.Process) -> int:
    """Resident memory of a process and every descendant (gone processes count 0)."""
    total = 0
    for proc in [process, *process.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


@dataclass
class StageResult:
    name: str
    seconds: float
    peak_rss_mb: float
    detail: dict[str, Any] = field(default_factory=dict)
    # A step run in its own process (bench/stage.py): that process's kernel high-water mark.
    step_peak_rss_mb: float | None = None


class Monitor:
    """Runs stages one after another, timing each and sampling its peak memory."""

    def __init__(self, progress: Callable[[str], None] = say) -> None:
        self.progress = progress
        self.stages: list[StageResult] = []
        self.started = time.monotonic()
        self._process = psutil.Process(os.getpid())
        self._peak = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._current: str | None = None
        self._stage_started = 0.0
        self._thread = threading.Thread(target=self._sample, name="bench-rss", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        last_beat = time.monotonic()
        while not self._stop.wait(SAMPLE_SECONDS):
            rss = tree_rss_bytes(self._process)
            with self._lock:
                self._peak = max(self._peak, rss)
                current, since = self._current, self._stage_started
            now = time.monotonic()
            if current and now - last_beat >= HEARTBEAT_SECONDS:
                last_beat = now
                self.progress(
                    f"  ... {current}: {now - since:.0f} s so far, "
                    f"{rss / 2**20:.0f} MB resident now"
                )

    @contextmanager
    def stage(self, name: str, **detail: Any) -> Iterator[dict[str, Any]]:
        """Time a stage; the block may add details (rows, calls) to the dict it gets, and the
        peak of the step's own process under STEP_PEAK."""
        with self._lock:
            self._peak = tree_rss_bytes(self._process)
            self._current, self._stage_started = name, time.monotonic()
        self.progress(f"{name} ... (elapsed {time.monotonic() - self.started:.0f} s)")
        started = time.monotonic()
        info: dict[str, Any] = dict(detail)
        try:
            yield info
        finally:
            seconds = time.monotonic() - started
            with self._lock:
                peak = max(self._peak, tree_rss_bytes(self._process))
                self._current = None
            step_peak = info.pop(STEP_PEAK, None)
            result = StageResult(name, round(seconds, 3), round(peak / 2**20, 1), info, step_peak)
            self.stages.append(result)
            own = f" (the step's process: {step_peak:.0f} MB)" if step_peak is not None else ""
            self.progress(f"{name}: {seconds:.1f} s, peak RSS {result.peak_rss_mb:.0f} MB{own}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
