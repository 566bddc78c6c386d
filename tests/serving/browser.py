"""Headless Chromium for the report tests: DOM after layout, screenshots, and a PNG reader.

Chromium is Debian's `chromium` package, installed by `make browser` (which `make test` runs).
A missing browser FAILS the test with the command to run: a rendering test that skipped
silently on CI would pass without anything having been rendered.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")
TIMEOUT_S = 60

# Injected into a copy of the report: the layout of every chart, for the screenshot check.
LAYOUT_SCRIPT = """
<script>
document.body.setAttribute("data-layout", JSON.stringify({
  height: Math.ceil(document.documentElement.scrollHeight),
  charts: Array.from(document.querySelectorAll("figure.chart svg")).map(svg => {
    const r = svg.getBoundingClientRect();
    const marks = Array.from(svg.querySelectorAll(".bar, .line"));
    return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height,
            marks: marks.length,
            colors: Array.from(new Set(marks.map(m => getComputedStyle(m)[
              m.classList.contains("line") ? "stroke" : "fill"])))};
  })
}));
</script>
"""


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "headless Chromium is not installed: run `make browser` (Debian package `chromium`; "
        "`make test` does it). This test renders the HTML report and must not be skipped.",
        pytrace=False,
    )


def _run(args: list[str], profile: Path) -> str:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",  # root in containers and CI
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def layout(report: Path, width: int, work: Path) -> dict:
    """The charts' boxes (page coordinates) and the page height, as laid out by Chromium."""
    probe = work / "layout-probe.html"
    html = report.read_text(encoding="utf-8")
    probe.write_text(html.replace("</body>", LAYOUT_SCRIPT + "</body>"), encoding="utf-8")
    dom = _run([f"--window-size={width},900", "--dump-dom", probe.as_uri()], work / "profile")
    match = re.search(r'data-layout="([^"]*)"', dom)
    assert match, "the layout probe did not run"
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def screenshot(page: Path, width: int, height: int, out: Path, work: Path) -> np.ndarray:
    _run(
        [f"--window-size={width},{height}", f"--screenshot={out}", page.as_uri()],
        work / "profile",
    )
    return read_png(out)


def print_to_pdf(page: Path, out: Path, work: Path) -> bytes:
    _run(["--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri()], work / "profile")
    return out.read_bytes()


def read_png(path: Path) -> np.ndarray:
    """An 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) as a (h, w, channels)
    array. The standard library has no PNG reader and Pillow is not a dependency."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, chunks, header = 8, [], None
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    assert header, "PNG without header"
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    channels = 3 if color == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8)
    rows = raw.reshape(height, width * channels + 1)
    image = np.zeros((height, width * channels), dtype=np.uint8)
    previous = np.zeros(width * channels, dtype=np.uint8)
    for y in range(height):
        image[y] = _unfilter(int(rows[y, 0]), rows[y, 1:], previous, channels)
        previous = image[y]
    return image.reshape(height, width, channels)


def _unfilter(kind: int, line: np.ndarray, up: np.ndarray, bpp: int) -> np.ndarray:
    if kind == 0:
        return line
    if kind == 2:
        return line + up  # uint8 arithmetic wraps modulo 256, as PNG wants
    if kind == 1:
        pixels = line.reshape(-1, bpp).astype(np.uint32)
        return (np.cumsum(pixels, axis=0) % 256).astype(np.uint8).reshape(-1)
    out = bytearray(line.tobytes())
    above = up.tobytes()
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        if kind == 3:
            out[i] = (out[i] + ((left + above[i]) >> 1)) & 0xFF
            continue
        corner = above[i - bpp] if i >= bpp else 0
        p = left + above[i] - corner
        pa, pb, pc = abs(p - left), abs(p - above[i]), abs(p - corner)
        predictor = left if pa <= pb and pa <= pc else (above[i] if pb <= pc else corner)
        out[i] = (out[i] + predictor) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)


def css_color(value: str) -> tuple[int, int, int]:
    """`rgb(0, 114, 178)` → (0, 114, 178)."""
    numbers = re.findall(r"\d+", value)
    assert len(numbers) >= 3, value
    return int(numbers[0]), int(numbers[1]), int(numbers[2])


# --- the report's new sections and its PDF (issue 22 item 7) ----------------------------------
BOXES_SCRIPT = """
<script>
document.body.setAttribute("data-boxes", JSON.stringify(Object.fromEntries(
  %s.map(selector => {
    const found = document.querySelector(selector);
    const r = found ? found.getBoundingClientRect() : null;
    return [selector, r && {x: r.left + scrollX, y: r.top + scrollY, width: r.width,
                            height: r.height, text: found.innerText}];
  })
)));
</script>
"""


def boxes(report: Path, selectors: list[str], width: int, work: Path) -> dict[str, dict | None]:
    """Each selector's first element as Chromium lays it out (page coordinates and the text it
    shows), None for a selector that matches nothing."""
    import html  # here: the module's head is LAYOUT_SCRIPT's neighbour, edited elsewhere

    probe = work / "boxes-probe.html"
    script = BOXES_SCRIPT % json.dumps(selectors)
    page = report.read_text(encoding="utf-8")
    probe.write_text(page.replace("</body>", script + "</body>"), encoding="utf-8")
    dom = _run([f"--window-size={width},900", "--dump-dom", probe.as_uri()], work / "profile")
    match = re.search(r'data-boxes="([^"]*)"', dom)
    assert match, "the boxes probe did not run"
    return json.loads(html.unescape(match.group(1)))


@dataclass(frozen=True)
class PdfPage:
    """A page of a PDF as PDFium draws it."""

    text: str  # its words, whitespace as one space (a cell's words wrap over lines)
    size_pt: tuple[float, float]  # width, height
    image: np.ndarray  # rendered at 72 dpi, height x width x 3 channels


def pdf_pages(pdf: bytes) -> list[PdfPage]:
    """Every page of a PDF with its text and a rendering by PDFium (pypdfium2, whose wheel
    ships the PDFium library): what a PDF reader shows."""
    import pypdfium2 as pdfium  # here: only the PDF tests need it

    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            text = " ".join(page.get_textpage().get_text_range().split())
            image = page.render(scale=1).to_numpy()[:, :, :3].copy()
            pages.append(PdfPage(text, tuple(page.get_size()), image))
        return pages
    finally:
        document.close()
