"""Credentials come only from the `irm_*` Airflow connections (host = base URL, password = key),
one per API source, named by its `ConnectionSpec` (extractors/<source>/__init__.py).

Set them in the Airflow UI, with `airflow connections add`, or as environment variables:
    AIRFLOW_CONN_IRM_YOUTUBE='{"conn_type": "http",
        "host": "https://www.googleapis.com/youtube/v3", "password": "<API key>"}'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractors.errors import CredentialsMissing


@dataclass(frozen=True)
class ApiCredentials:
    connection_id: str
    base_url: str
    secret: str = field(repr=False)
    login: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def load_credentials(conn_id: str) -> ApiCredentials:
    """Read an Airflow connection (environment variable, secrets backend or database)."""
    from airflow.sdk import BaseHook  # lazy: Airflow is heavy and DAG parsing must stay cheap

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception as exc:  # Airflow raises its own not-found type, which varies by version
        raise CredentialsMissing(
            f"Airflow connection {conn_id!r} is not set: add it in the UI or as "
            f"AIRFLOW_CONN_{conn_id.upper()} (host = API base URL, password = key or token)"
        ) from exc
    if not conn.host or not conn.password:
        raise CredentialsMissing(f"Airflow connection {conn_id!r} needs a host and a password")
    base_url = conn.host if "://" in conn.host else f"https://{conn.host}"
    if conn.port and f":{conn.port}" not in base_url:
        scheme, rest = base_url.split("://", 1)
        host, _, path = rest.partition("/")
        base_url = f"{scheme}://{host}:{conn.port}/{path}"
    return ApiCredentials(
        connection_id=conn_id,
        base_url=base_url.rstrip("/"),
        secret=conn.password,
        login=conn.login or None,
        extra=conn.extra_dejson or {},
    )
