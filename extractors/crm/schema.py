"""What a landed CRM row looks like (the landing suite checks it: expectations/
landing_suites.py), derived from the templates and column kinds admission checks
(admission.py), so the two cannot drift apart.

Every cell lands as text (an empty cell is NULL, SPEC 3.2). SPEC 3.2 routes bad rows (bad dates,
negative amounts, duplicate ids) to quarantine while the rest loads, so here a row's problems
are warnings; only a line whose key is not its row's id is critical.
"""

from __future__ import annotations

from extractors import rules
from extractors.crm.admission import (
    AMOUNTS,
    BOOLEANS,
    COUNTRY,
    CURRENCY,
    DATES,
    ENUMS,
    FRACTIONS,
    OPTIONAL,
    ORDER,
    TEMPLATES,
    TIMESTAMPS,
)
from extractors.rules import WARNING, Rule
from extractors.schema import (
    BOOL_TEXT,
    DATE_TEXT,
    DECIMAL_TEXT,
    ISO_TIMESTAMP,
    TEXT,
    Field,
    Parser,
    RecordSchema,
)
from extractors.spec import EntitySpec

# Values the team is expected to fill in (a warning when empty; admission lets them through).
EXPECTED = {
    "creators": ("display_name", "status"),
    "campaigns": ("starts_on", "ends_on"),
    "contracts": ("campaign_id", "creator_id"),
    "payments": ("contract_id", "amount"),
    "touchpoints": ("creator_id", "occurred_at"),
}
# Patterns of a cell's text: admission checks the currency and the country; a brand handle
# written without its "@" is only worth a warning.
PATTERNS = {"currency": CURRENCY, "country": COUNTRY, "brand_handle": r"^@"}


def _parser(column: str) -> Parser:
    for kinds, parser in (
        (DATES, DATE_TEXT),
        (TIMESTAMPS, ISO_TIMESTAMP),
        (AMOUNTS, DECIMAL_TEXT),
        (FRACTIONS, DECIMAL_TEXT),
        (BOOLEANS, BOOL_TEXT),
    ):
        if column in kinds:
            return parser
    return TEXT


def _column_rules(entity: str, column: str) -> tuple[Rule, ...]:
    found: list[Rule] = []
    if (entity, column) in ENUMS:
        found.append(rules.one_of(column, ENUMS[entity, column], level=WARNING))
    if column in AMOUNTS or column in FRACTIONS:
        found.extend(rules.non_negative(column, level=WARNING))
    if column in PATTERNS:
        found.append(rules.matches(column, PATTERNS[column], level=WARNING))
    return tuple(found)


def crm_entity(entity: str) -> EntitySpec:
    """One CRM file: its first column keys the line; row-level problems are warnings. Its
    optional columns are fields too (absent from an older file's rows: NULL)."""
    key, *columns = (*TEMPLATES[entity], *OPTIONAL.get(entity, ()))
    return EntitySpec(
        entity,
        RecordSchema(
            fields=(
                Field(key, key, required=True),
                *(Field(c, c, _parser(c)) for c in columns),
            ),
            rules=(
                rules.same("record_key", key, notes="the line is keyed by the row's id"),
                *(rule for c in columns for rule in _column_rules(entity, c)),
                *rules.present(*EXPECTED[entity], level=WARNING),
            ),
            level=WARNING,
        ),
    )


ENTITIES = tuple(crm_entity(entity) for entity in ORDER)
