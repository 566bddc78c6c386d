"""The CRM as a source: the exports the brand's team drops into the inbox folder, admitted row
by row and landed whole per day (admission.py; its records: schema.py). A file source: no
connection, no pool, no roster of its own; its creators file is the roster every platform's
extract reads (`roster`, `platform_roster`)."""

from __future__ import annotations

from extractors.crm.admission import (
    ORDER,
    ROSTER_ENTITY,
    TEMPLATES,
    CrmExportOutsideWindow,
    CrmFileError,
    EmptyRoster,
    land_day,
    platform_roster,
    read_crm_file,
    roster,
)
from extractors.crm.schema import ENTITIES
from extractors.spec import SourceSpec

SPEC = SourceSpec(name="crm", entities=ENTITIES, land_files=land_day)

__all__ = [
    "ORDER",
    "ROSTER_ENTITY",
    "SPEC",
    "TEMPLATES",
    "CrmExportOutsideWindow",
    "CrmFileError",
    "EmptyRoster",
    "land_day",
    "platform_roster",
    "read_crm_file",
    "roster",
]
