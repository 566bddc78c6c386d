"""What a source is, in one object: `SourceSpec`.

Each source lives in one package (extractors/youtube/, extractors/instagram/, extractors/tiktok/,
extractors/shop/, extractors/crm/) whose `SPEC` declares its entities and their landing record
schemas, its Airflow connection and how it authenticates, its pool, its roster column, its
paginators, its quotas, and its `extract(ctx)`, the one signature every API source shares.
extractors/registry.py lists the specs; the DAGs, the tasks, the history bootstrap, the bench,
the Airflow pools, the raw loader, the landing suites and the Assets iterate that list, so a
source is added by its package and one registry line (docs/adding-a-source.md).

Plain data: this module, and every source package's `__init__`, import no HTTP library, so the
registry is cheap for the DAG files' parse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from extractors.auth import Auth
from extractors.classify import Classifier
from extractors.errors import AuthError
from extractors.handles import HandleFormat
from extractors.paging import Paginator
from extractors.schema import RecordKey, RecordSchema

if TYPE_CHECKING:
    from core.config import Settings
    from extractors.base import Extraction
    from extractors.connections import ApiCredentials
    from extractors.runner import ExtractContext

Extract = Callable[["ExtractContext"], "Extraction"]
LandFiles = Callable[[date, "Settings"], dict[str, Any]]


@dataclass(frozen=True)
class EntitySpec:
    """One landing entity (`<landing>/<source>/<name>/dt=…`, raw table `raw.<source>_<name>`):
    what its records look like, how an item of its listing is keyed (None: by something else,
    e.g. the username it was asked for), and whether a partition is a snapshot of every record
    (the day's state) or the records that changed in the window (shop orders updated since the
    bookmark; staging keeps each record's latest version)."""

    name: str
    schema: RecordSchema
    key: RecordKey | None = None
    snapshot: bool = True


@dataclass(frozen=True)
class ConnectionSpec:
    """The source's Airflow connection (host = the API's base URL, password = key or secret),
    how a call authenticates, how an answer is read (`classify`: an error, or None), the
    connection's `extra` fields the source needs, and the path the sandbox server serves the
    API under (its host there is `<sandbox URL>/<sandbox_path>`)."""

    id: str
    auth: Auth
    classify: Classifier
    sandbox_path: str
    extras: tuple[str, ...] = ()

    def check(self, credentials: ApiCredentials) -> None:
        """Raise AuthError, naming the connection, when it lacks what the source needs."""
        self.auth.check(credentials)
        for name in self.extras:
            if not credentials.extra.get(name):
                connection = credentials.connection_id
                raise AuthError(f"Airflow connection {connection!r} needs extra.{name}")


@dataclass(frozen=True)
class PoolSpec:
    """The Airflow pool the source's extract tasks run in, sized to the API's rate limits."""

    name: str
    slots: int
    description: str


@dataclass(frozen=True)
class RosterSpec:
    """Which accounts to ask about: the CRM creators column that lists them, the format a handle
    must have before it is put into a request, and where a refused handle goes (quarantined
    under `entity` as `{field: handle}`, as an unknown account is)."""

    column: str
    handle: HandleFormat
    entity: str
    field: str


@dataclass(frozen=True)
class Quota:
    """A platform allowance the source's calls spend: `limit` `unit` per `period_days`.
    `enforced`: the client refuses a call that would pass this run's share of it (a batch of
    the roster spends its share, so batches side by side cannot together pass it; the setting
    named by `setting`, if any, overrides `limit`); otherwise the platform's own refusal
    (QuotaExhausted) stops the run cleanly and the next run resumes. `split` false: a quota
    only the listening batch spends (YouTube's search bucket: extractors/listening.py), which
    it gets whole whatever its share of the roster."""

    name: str
    limit: int
    unit: str
    period_days: int = 1
    setting: str | None = None
    enforced: bool = False
    split: bool = True

    def budget(self, settings: Settings, share: float = 1.0) -> int:
        limit = getattr(settings, self.setting) if self.setting else self.limit
        return int(limit * (share if self.split else 1.0))


@dataclass(frozen=True)
class SourceSpec:
    """A source. An API source has a `connection` and an `extract`; a file source (the CRM
    inbox) has neither, no pool and no roster: it has `land_files(day, settings)`."""

    name: str
    entities: tuple[EntitySpec, ...]
    extract: Extract | None = None
    connection: ConnectionSpec | None = None
    pool: PoolSpec | None = None
    roster: RosterSpec | None = None
    quotas: tuple[Quota, ...] = ()
    paginators: Mapping[str, Paginator] = field(default_factory=dict)
    land_files: LandFiles | None = None

    def __post_init__(self) -> None:
        if (self.connection is None) != (self.extract is None):
            raise ValueError(f"source {self.name}: an API source has a connection and extract")
        if (self.extract is None) == (self.land_files is None):
            raise ValueError(f"source {self.name}: give either extract or land_files")

    @property
    def entity_names(self) -> tuple[str, ...]:
        return tuple(entity.name for entity in self.entities)

    def entity(self, name: str) -> EntitySpec:
        return next(e for e in self.entities if e.name == name)
