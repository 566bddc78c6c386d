"""The Data Docs layout: one Great Expectations site per stage and a small home page.

    <data_docs_dir>/index.html                 home: each stage's latest run, linked
    <data_docs_dir>/<stage>/index.html         the stage's GX site (latest checkpoint run)
    <data_docs_dir>/<stage>/irm_summary.json   the stage's latest report (what the home shows)
    <data_docs_dir>/irm_freshness.json         the latest source freshness check (irm_transform)

The home page starts with the source freshness of the latest transform (each source table, its
newest partition, the rule and its status). It also lists what GX cannot show: optional marts
skipped because they do not exist yet, and every warning and critical failure as one line, so a
demo prints one path.

Every page reads offline and shows the data as text:
- GX writes a failing value into its pages as HTML, unescaped (a caption `<img src=x
  onerror=...>` ran in the reader's browser). `build_site` therefore rewrites the validation
  results GX renders from: each value from the data is cut at `SHOWN_CHARACTERS`, its control
  and bidirectional characters are written as visible escapes (`\\u202e`), and it is
  HTML-escaped. The run's own report (irm_summary.json, messages) keeps the values as found.
- GX's page templates load Bootstrap, jQuery and Font Awesome from CDNs, so offline the pages
  were unstyled and the site index, which bootstrap-table fills from a script, was empty.
  `site_config` makes GX render with the views of `expectations/docs_views.py`: the same pages
  from templates in `expectations/docs_templates/` with an inline stylesheet, static tables and
  nothing fetched from anywhere.
"""

from __future__ import annotations

import html
import json
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expectations.report import ValidationReport

HOME = "index.html"
SUMMARY = "irm_summary.json"
FRESHNESS = "irm_freshness.json"
# Stages in pipeline order on the home page; an unknown stage follows, by name.
STAGE_ORDER = ("landing", "marts")

# A failing value from the data is shown in Data Docs cut at this many characters; an
# exception's message and traceback (which may quote values) at EXCEPTION_CHARACTERS.
SHOWN_CHARACTERS = 200
EXCEPTION_CHARACTERS = 4_000
# Shown as escapes rather than acted on: C0 controls other than tab, line feed and carriage
# return, DEL, and the bidirectional marks, embeddings, overrides and isolates (which reorder
# the text around them: "invoice\u202egnp.exe" reads as "invoiceexe.png").
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
VIEWS_MODULE = "expectations.docs_views"


def shown_value(value: Any, limit: int = SHOWN_CHARACTERS) -> Any:
    """A value from the data as a GX page may show it: text cut at `limit` characters (saying
    how long it was), invisible characters as escapes, HTML-escaped; lists and dicts value by
    value; numbers and other values as they are."""
    if isinstance(value, str):
        text = value if len(value) <= limit else f"{value[:limit]}… ({len(value):,} characters)"
        return html.escape(_INVISIBLE.sub(_escape_invisible, text))
    if isinstance(value, dict):
        return {key: shown_value(item, limit) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [shown_value(item, limit) for item in value]
    return value


def _escape_invisible(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def site_config(site_dir: Path) -> dict[str, Any]:
    """The GX docs site: HTML files under `site_dir`, rendered by our offline views."""
    page_view = {"module_name": VIEWS_MODULE, "class_name": "OfflinePageView"}
    return {
        "class_name": "SiteBuilder",
        # No "how to" walkthrough: it needs jQuery and Bootstrap's script.
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(site_dir),
        },
        "site_index_builder": {
            "class_name": "DefaultSiteIndexBuilder",
            "view": {"module_name": VIEWS_MODULE, "class_name": "OfflineIndexPageView"},
        },
        "site_section_builders": {
            "expectations": {"view": page_view},
            "validations": {"view": page_view},
            "profiling": {"view": page_view},
        },
    }


def build_site(context: Any, site_name: str) -> None:
    """Build the site from the context's validation results, every value from the data in
    them made safe to show first (module doc). The checkpoint's own results, which the run's
    report is made from, are separate objects and keep the values as found."""
    store = context.validation_results_store
    for key in store.list_keys():
        store.set(key, _shown_results(store.get(key)))
    context.build_data_docs(site_names=[site_name])


def _shown_results(suite_result: Any) -> Any:
    for result in suite_result.results:
        if result.result:
            result.result = shown_value(dict(result.result))
        if result.exception_info:
            result.exception_info = shown_value(dict(result.exception_info), EXCEPTION_CHARACTERS)
    return suite_result


def home_path(data_docs_dir: Path) -> Path:
    return data_docs_dir / HOME


def publish_run(data_docs_dir: Path, report: ValidationReport) -> Path:
    """Record the stage's run next to its site and rebuild the home page; returns the home."""
    summary = {
        **report.to_dict(),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "critical": [f.describe() for f in report.failed_critical],
        "warnings": [f.describe() for f in report.warnings],
    }
    site = data_docs_dir / report.stage
    site.mkdir(parents=True, exist_ok=True)
    _write_atomically(site / SUMMARY, json.dumps(summary, indent=2, default=str))
    return write_home(data_docs_dir)


def publish_freshness(data_docs_dir: Path, as_of: str, sources: list[dict[str, Any]]) -> Path:
    """Record the latest source freshness check (warehouse.freshness: one dict per source table with
    name, relation, newest_day, loaded_at, days_behind, warn_after, error_after and status) and
    rebuild the home page; returns the home."""
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    checked = {
        "as_of": as_of,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sources": sources,
    }
    _write_atomically(data_docs_dir / FRESHNESS, json.dumps(checked, indent=2, default=str))
    return write_home(data_docs_dir)


def write_home(data_docs_dir: Path) -> Path:
    summaries = [_load(path) for path in sorted(data_docs_dir.glob(f"*/{SUMMARY}"))]
    summaries.sort(key=_stage_rank)
    freshness = data_docs_dir / FRESHNESS
    sections = [_freshness_section(_load(freshness))] if freshness.is_file() else []
    sections += [_stage_section(s, data_docs_dir) for s in summaries]
    page = _PAGE.format(body="\n".join(sections) or "<p>No validation has run yet.</p>")
    path = home_path(data_docs_dir)
    _write_atomically(path, page)
    return path


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _stage_rank(summary: dict[str, Any]) -> tuple[int, str]:
    stage = summary["stage"]
    return (STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER), stage)


def _stage_section(summary: dict[str, Any], data_docs_dir: Path) -> str:
    stage = summary["stage"]
    status = "passed" if summary["success"] else "FAILED"
    site = data_docs_dir / stage / "index.html"
    link = (
        f'<a href="{html.escape(stage)}/index.html">Great Expectations Data Docs</a>'
        if site.is_file()
        else "no Great Expectations site (nothing was validated)"
    )
    rows = "\n".join(_suite_row(s) for s in summary["suites"])
    return _SECTION.format(
        stage=html.escape(stage),
        cls="ok" if summary["success"] else "bad",
        status=status,
        written_at=html.escape(summary["written_at"]),
        seconds=summary["seconds"],
        link=link,
        rows=rows,
        critical=_items(summary["critical"]),
        warnings=_items(summary["warnings"]),
    )


# Status of a source table (warehouse.freshness) -> its CSS class on the home page.
_FRESHNESS_CLASSES = {"fresh": "ok", "warn": "warn", "error": "bad"}


def _freshness_section(checked: dict[str, Any]) -> str:
    sources = checked["sources"]
    stale = [s["name"] for s in sources if s["status"] in ("warn", "error")]
    verdict = (
        f'<span class="warn">stale: {html.escape(", ".join(stale))}</span>'
        if stale
        else '<span class="ok">every checked source is fresh</span>'
    )
    rows = "\n".join(_freshness_row(s) for s in sources)
    return _FRESHNESS.format(
        as_of=html.escape(str(checked["as_of"])),
        written_at=html.escape(checked["written_at"]),
        verdict=verdict,
        rows=rows,
    )


def _freshness_row(source: dict[str, Any]) -> str:
    status = source["status"]
    behind = source["days_behind"]
    cells = [
        html.escape(source["name"]),
        f"<code>{html.escape(source['relation'])}</code>",
        html.escape(source["newest_day"] or "none"),
        "" if behind is None else str(behind),
        html.escape(source["loaded_at"] or ""),
        html.escape(source["warn_after"] or "-"),
        html.escape(source["error_after"] or "-"),
        f'<span class="{_FRESHNESS_CLASSES.get(status, "")}">{html.escape(status)}</span>',
    ]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _suite_row(suite: dict[str, Any]) -> str:
    if suite.get("skipped"):
        status, cls = "skipped (optional, not built yet)", "warn"
    else:
        status, cls = ("ok", "ok") if suite["success"] else ("FAILED", "bad")
    cells = [
        html.escape(suite["suite"]),
        f'<span class="{cls}">{status}</span>',
        "" if suite["rows"] is None else str(suite["rows"]),
        str(len(suite["failed_critical"])),
        str(len(suite["warnings"])),
    ]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _items(lines: list[str]) -> str:
    if not lines:
        return "<p>none</p>"
    items = "".join(
        f"<li><code>{shown_value(line, EXCEPTION_CHARACTERS)}</code></li>" for line in lines
    )
    return f"<ul>{items}</ul>"


def _write_atomically(path: Path, text: str) -> None:
    """A reader (a browser, the demo) never sees half a file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>IRM data quality</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .3em .6em; }}
.ok {{ color: #166534; }} .bad {{ color: #b91c1c; font-weight: bold; }} .warn {{ color: #a16207; }}
code {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
table.freshness td, table.freshness code {{ white-space: nowrap; }}
</style></head>
<body><h1>IRM data quality</h1>
<p>The latest validation of each stage. Critical failures stop the pipeline; warnings do not.</p>
{body}
</body></html>
"""

_FRESHNESS = """<section><h2>Source freshness as of {as_of}: {verdict}</h2>
<p>Checked at {written_at} by the transform, against the end of {as_of}, the newest day it
transformed (not against today: a replay of the past is not stale). A day's partition is 1 day
old at the end of its day. Rules: dbt's <code>freshness</code> of each source
(<code>dbt_project/models/staging/*/_*__sources.yml</code>). Stale sources are warnings: the
pipeline goes on.</p>
<table class="freshness"><tr><th>source table</th><th>warehouse table</th>
<th>newest partition (dt)</th><th>days behind</th><th>loaded at</th><th>warn after</th>
<th>error after</th><th>status</th></tr>
{rows}
</table>
</section>"""

_SECTION = """<section><h2>{stage}: <span class="{cls}">{status}</span></h2>
<p>Run at {written_at} in {seconds} s. {link}</p>
<table><tr><th>suite</th><th>status</th><th>rows</th><th>critical</th><th>warnings</th></tr>
{rows}
</table>
<h3>Critical failures</h3>{critical}
<h3>Warnings</h3>{warnings}
</section>"""
