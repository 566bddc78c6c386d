"""The HTML report as a PDF, for readers who forward attachments: headless Chromium prints it.

The PDF is the report's own print layout (its `@page` and `@media print` rules: A4, each section
on a new page, charts and table rows never cut), so the two never say different things.
Chromium prints the local file with a throwaway profile, no header or footer line (they would
show the file's path on the export machine), and nothing fetched: the report loads nothing.

A PDF is a convenience beside the HTML, so the export never fails for it: without Chromium
(the Debian package `chromium`, which the Docker image installs) the export logs one warning
naming what is missing and how to install it, and writes everything but the PDF; a Chromium
that fails or hangs past `PRINT_TIMEOUT_S` is killed with its child processes and logged as
an error, and no half-written PDF is left behind.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser")
PRINT_TIMEOUT_S = 120
INSTALL_HINT = (
    "install headless Chromium (Debian package `chromium`: `apt-get install chromium`, or "
    "`make browser`); the Docker image has it"
)


def find_chromium() -> str | None:
    """The Chromium on PATH, None when there is none."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path, timeout_s: float = PRINT_TIMEOUT_S) -> bool:
    """Print `html` to `pdf` with headless Chromium; False (and logged) when it could not."""
    browser = find_chromium()
    if browser is None:
        log.warning("report PDF not written: headless Chromium is not installed; %s", INSTALL_HINT)
        return False
    with tempfile.TemporaryDirectory(prefix="irm-chromium-") as profile:
        failure = _run_chromium(_print_command(browser, html, pdf, Path(profile)), timeout_s)
    if failure is None and not _is_pdf(pdf):
        failure = "Chromium wrote no PDF"
    if failure is not None:
        pdf.unlink(missing_ok=True)
        log.error("report PDF not written: %s", failure)
        return False
    return True


def _print_command(browser: str, html: Path, pdf: Path, profile: Path) -> list[str]:
    return [
        browser,
        "--headless",
        "--no-sandbox",  # root in containers; the page is our own file
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",  # no update or safe-browsing calls: offline
        "--no-pdf-header-footer",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]


def _run_chromium(command: list[str], timeout_s: float) -> str | None:
    """Run Chromium in its own process group; what went wrong, or None."""
    with subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its renderer and GPU processes go with it on a timeout
    ) as process:
        try:
            _, errors = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return f"Chromium did not finish within {timeout_s:g} s"
    if process.returncode != 0:
        return f"Chromium exited with {process.returncode}: {errors[-2000:]}"
    return None


def _is_pdf(path: Path) -> bool:
    if not path.exists():
        return False
    with path.open("rb") as handle:
        return handle.read(5) == b"%PDF-"
