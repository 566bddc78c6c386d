"""The vocabulary of landing record schemas, which each source declares beside the extractor
that produces its records (extractors/<source>/schema.py).

A landing line is `{"extracted_at", "record_key", "parent_key", "payload"}` with the payload as
the source sent it (docs/architecture.md). An entity's `RecordSchema` names the payload values
that matter as `Field`s (a column name, a dotted path into the payload, and a `Parser` that knows
how the source writes that kind of value: YouTube counts are digit strings, TikTok ids are int64
JSON numbers kept as exact digit strings, Instagram timestamps end in `+0000`, CRM cells are all
text) and the promises those columns keep as `Rule`s (extractors/rules.py). The landing suite
(expectations/landing_suites.py) checks them: each record is flattened into one row of these
columns, a value of the wrong shape becomes NULL and is named in the row's `type_errors` column,
and each rule becomes one Great Expectations check. Plain data: no GX import here.

`RecordKey` is how an extractor keys an item of a listing (the one key rule every source uses).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from extractors.rules import CRITICAL, Level, Rule

_INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CURRENCY_CODE = r"^[A-Z]{3}$"


# --- parsers: how a source writes a kind of value -------------------------------------------


@dataclass(frozen=True)
class Parser:
    """Reads one JSON value of a source's representation; raises ValueError on another shape."""

    describe: str  # what was expected, for the type error ("an integer")
    kind: str  # the column's logical type (expectations/contract.py KIND_DTYPES)
    parse: Callable[[Any], Any]


def _fits_int64(value: int) -> int:
    if abs(value) > _INT64_MAX:
        raise ValueError("outside int64")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _digit_string(value: Any) -> int:
    # A minus sign parses, so a negative count is reported by the range check with its value.
    if not (isinstance(value, str) and _INTEGER.fullmatch(value)):
        raise ValueError("not a digit string")
    return _fits_int64(int(value))


def _json_integer(value: Any) -> int:
    # bool is an int in Python; JSON true is not a count.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer")
    return _fits_int64(value)


def _int64_id(value: Any) -> str:
    """Exact digits: json.loads keeps big integers exact; a float would have lost them."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return value
    raise ValueError("not an integer id")


def _json_boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


def _iso_timestamp(value: Any) -> datetime:
    """ISO 8601 with an offset (`Z`, `+00:00` or Instagram's `+0000`); a naive one is ambiguous."""
    parsed = datetime.fromisoformat(_text(value))
    if parsed.tzinfo is None:
        raise ValueError("no UTC offset")
    return parsed.astimezone(UTC)


def _unix_seconds(value: Any) -> datetime:
    return datetime.fromtimestamp(_json_integer(value), UTC)


def _decimal_text(value: Any) -> float:
    if not (isinstance(value, str) and _DECIMAL.fullmatch(value)):
        raise ValueError("not a decimal string")
    return float(value)


def _date_text(value: Any) -> date:
    if not (isinstance(value, str) and _DATE.fullmatch(value)):
        raise ValueError("not YYYY-MM-DD")
    return date.fromisoformat(value)


def _bool_text(value: Any) -> bool:
    if value not in ("true", "false"):
        raise ValueError("not true/false")
    return value == "true"


def _discount_codes(value: Any) -> str:
    """Shopify's `[{"code", "amount", "type"}]`, as a comma-separated list of the codes."""
    if not isinstance(value, list):
        raise ValueError("not a list")
    codes = [item.get("code") if isinstance(item, dict) else None for item in value]
    if not all(isinstance(code, str) for code in codes):
        raise ValueError("an item without a code")
    return ",".join(codes)


def _refunded_money(value: Any) -> float:
    """Shopify's `refunds[]`, as the money its successful refund transactions returned: each
    refund an object whose `transactions` list holds objects with a string `kind` and `status`
    and a decimal-string `amount` (listening_api_shapes.md 4.2). dbt casts those amounts; one
    of another shape would fail the build, so it is a type error here, which the landing gate
    reports before the load."""
    if not isinstance(value, list):
        raise ValueError("not a list")
    returned = 0.0
    for refund in value:
        transactions = refund.get("transactions") if isinstance(refund, dict) else None
        if not isinstance(transactions, list):
            raise ValueError("a refund without a transactions list")
        for transaction in transactions:
            if not isinstance(transaction, dict):
                raise ValueError("a transaction that is not an object")
            kind, status = transaction.get("kind"), transaction.get("status")
            if not (isinstance(kind, str) and isinstance(status, str)):
                raise ValueError("a transaction without kind or status")
            amount = _decimal_text(transaction.get("amount"))
            if kind.lower() == "refund" and status.lower() == "success":
                returned += amount
    return returned


TEXT = Parser("a string", "string", _text)
DIGIT_STRING = Parser("a count as a digit string", "integer", _digit_string)
INTEGER = Parser("an integer", "integer", _json_integer)
INT64_ID = Parser("an integer id", "string", _int64_id)
BOOLEAN = Parser("a boolean", "boolean", _json_boolean)
ISO_TIMESTAMP = Parser("an ISO 8601 timestamp with offset", "timestamp", _iso_timestamp)
UNIX_SECONDS = Parser("Unix seconds as an integer", "timestamp", _unix_seconds)
DECIMAL_TEXT = Parser("a decimal string", "number", _decimal_text)
DATE_TEXT = Parser("a YYYY-MM-DD date", "date", _date_text)
BOOL_TEXT = Parser("true or false", "boolean", _bool_text)
DISCOUNT_CODES = Parser("a list of discount codes", "string", _discount_codes)
REFUNDS = Parser(
    "refunds whose transactions have a kind, a status and a decimal-string amount",
    "number",
    _refunded_money,
)


@dataclass(frozen=True)
class Field:
    """A payload value that matters: its column name, dotted path and parser. A required field
    must be present in every record (a critical check)."""

    name: str
    path: str
    parser: Parser = TEXT
    required: bool = False

    @property
    def steps(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))


@dataclass(frozen=True)
class RecordSchema:
    """What a landed record of an entity looks like: its fields, its rules, whether its line
    names a parent (`parent_key`: the payload does not name it), and the level of a type error
    or a key landed twice in a partition (CRM rows are warnings: SPEC 3.2 quarantines them
    while the rest loads; a platform's broken record is critical)."""

    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    has_parent: bool = False
    level: Level = CRITICAL


@dataclass(frozen=True)
class RecordKey:
    """How an item of a listing is keyed: its `field` (else the first of `also` it has), as
    text (an int64 id keeps its exact digits); `digits` accepts only a number or a digit
    string. An item without a usable key goes to quarantine (extractors/base.py keep_unique)."""

    field: str = "id"
    also: tuple[str, ...] = ()
    digits: bool = False

    def of(self, item: dict[str, Any]) -> str | None:
        value = next((item[f] for f in (self.field, *self.also) if f in item), None)
        if isinstance(value, bool) or not isinstance(value, int | str):
            return None
        text = str(value)
        if self.digits:
            return text if text.isdigit() else None
        return text or None
