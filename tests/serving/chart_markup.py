"""Reading the report's SVG charts (exports/charts.py) as a test needs them: an axis's labels,
the marks and their colours."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    """The chart as XML: fails when a label broke the markup."""
    return ElementTree.fromstring(str(svg))


def axis_labels(svg: str, axis: str = "y") -> list[str]:
    """The labels of the x or y axis's ticks, bottom to top (y) or left to right (x)."""
    ticks = parse(svg).iter(f"{SVG}g")
    return [
        "".join(text.itertext())
        for tick in ticks
        if tick.get("class") == f"{axis}tick"
        for text in tick.iter(f"{SVG}text")
    ]


def marks(svg: str, kind: str) -> list[ElementTree.Element]:
    """The chart's bars, lines or points (class `bar`, `line`, `point`)."""
    return [e for e in parse(svg).iter() if e.get("class") == kind]


def color(mark: ElementTree.Element, prop: str = "fill") -> str:
    """A mark's fill or stroke colour, as matplotlib writes it (`#0072b2`)."""
    match = re.search(rf"(?:^|;)\s*{prop}:\s*(#[0-9a-f]{{6}})", mark.get("style", ""))
    assert match, mark.attrib
    return match.group(1)
