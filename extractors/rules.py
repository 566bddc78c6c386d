"""What a landed record's columns promise: `Rule`s, as data, which each source's schema lists
(extractors/<source>/schema.py, e.g. `rules.same("record_key", "video_id")`) and the landing
suite (expectations/landing_suites.py) checks, one Great Expectations check each. A rule is
about a column of the flattened record: a field of its `RecordSchema`, or `record_key` /
`parent_key`. Levels: critical stops the load, a warning is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["critical", "warning"]
CRITICAL: Level = "critical"
WARNING: Level = "warning"

RuleKind = Literal["same", "one_of", "non_negative", "matches", "present"]


@dataclass(frozen=True)
class Rule:
    """One promise about a column, at a level. `arg` is the other column (`same`), the
    allowed values (`one_of`) or the pattern (`matches`)."""

    kind: RuleKind
    column: str
    arg: Any = None
    level: Level = CRITICAL
    notes: str | None = None


def same(column: str, other: str, *, level: Level = CRITICAL, notes: str | None = None) -> Rule:
    """Two columns agree row by row (a row where either is NULL is left to `present`)."""
    return Rule("same", column, other, level, notes)


def one_of(
    column: str, values: tuple[str, ...], *, level: Level = CRITICAL, notes: str | None = None
) -> Rule:
    return Rule("one_of", column, values, level, notes)


def non_negative(*columns: str, level: Level = CRITICAL) -> tuple[Rule, ...]:
    """Counts and money: NULL (not returned by the platform) passes, below zero does not."""
    return tuple(Rule("non_negative", column, None, level) for column in columns)


def matches(column: str, regex: str, *, level: Level = CRITICAL, notes: str | None = None) -> Rule:
    return Rule("matches", column, regex, level, notes)


def present(*columns: str, level: Level = CRITICAL) -> tuple[Rule, ...]:
    """Columns that are not NULL (as a warning: the platform may omit them, but rarely)."""
    return tuple(Rule("present", column, None, level) for column in columns)
