"""How a source authenticates: objects the shared client (extractors/http.py) applies to every
call, so no extractor handles a credential itself.

Credentials travel in headers only, never in a URL (urllib3 logs every request's URL at DEBUG,
and URLs end up in proxies' and servers' logs): YouTube's `X-Goog-Api-Key` (`HeaderKey`),
Instagram's `Authorization: Bearer` (`Bearer`), Shopify's `X-Shopify-Access-Token`
(`HeaderKey`), and TikTok's client token, obtained from the connection's client key and secret
and renewed before it expires (`ClientCredentialsToken`). A source declares one in its
`ConnectionSpec`; the client binds it to the connection's credentials.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from extractors.errors import AuthError

if TYPE_CHECKING:
    from extractors.connections import ApiCredentials
    from extractors.http import ApiClient


class Authenticator(Protocol):
    """An auth bound to one connection's credentials: the headers of each call."""

    def headers(self, client: ApiClient) -> Mapping[str, str]: ...


class Auth(ABC):
    """A way of authenticating, declared by a source and bound to credentials per client."""

    def check(self, credentials: ApiCredentials) -> None:  # noqa: B027 (most need nothing)
        """Raise AuthError, naming the connection, when it lacks what this auth needs."""

    @abstractmethod
    def bind(self, credentials: ApiCredentials) -> Authenticator: ...


@dataclass(frozen=True)
class _Headers:
    values: Mapping[str, str]

    def headers(self, client: ApiClient) -> Mapping[str, str]:
        return self.values


@dataclass(frozen=True)
class HeaderKey(Auth):
    """The connection's password (a key or token) in one header, e.g. `X-Goog-Api-Key`."""

    header: str

    def bind(self, credentials: ApiCredentials) -> Authenticator:
        return _Headers({self.header: credentials.secret})


@dataclass(frozen=True)
class Bearer(Auth):
    """The connection's password as `Authorization: Bearer <token>`."""

    def bind(self, credentials: ApiCredentials) -> Authenticator:
        return _Headers({"Authorization": f"Bearer {credentials.secret}"})


@dataclass(frozen=True)
class ClientCredentialsToken(Auth):
    """OAuth client credentials: the connection's login is the client key and its password the
    client secret; a token from `token_path` (`grant_type=client_credentials`, as a form) goes
    as `Authorization: Bearer` on every other call, and is renewed `renew_margin_seconds`
    before it expires. The token call goes through the same client (retried and counted)."""

    token_path: str
    renew_margin_seconds: float = 300.0
    default_lifetime_seconds: float = 7200.0  # when the answer has no `expires_in`

    def check(self, credentials: ApiCredentials) -> None:
        if not credentials.login:
            raise AuthError(
                f"Airflow connection {credentials.connection_id!r} needs a login (the client key)"
            )

    def bind(self, credentials: ApiCredentials) -> Authenticator:
        return _ClientToken(self, credentials)


class _ClientToken:
    def __init__(self, auth: ClientCredentialsToken, credentials: ApiCredentials) -> None:
        self.auth = auth
        self.credentials = credentials
        self._token: str | None = None
        self._expires_at = 0.0

    def headers(self, client: ApiClient) -> Mapping[str, str]:
        renew_at = self._expires_at - self.auth.renew_margin_seconds
        if self._token is None or time.monotonic() > renew_at:
            self._renew(client)
        return {"Authorization": f"Bearer {self._token}"}

    def _renew(self, client: ApiClient) -> None:
        form = {
            "client_key": self.credentials.login or "",
            "client_secret": self.credentials.secret,
            "grant_type": "client_credentials",
        }
        body = client.request("POST", self.auth.token_path, form=form, authenticate=False).body
        if not isinstance(body, dict) or not body.get("access_token"):
            raise AuthError(
                f"the platform issued no client token for Airflow connection "
                f"{self.credentials.connection_id!r}"
            )
        self._token = body["access_token"]
        lifetime = float(body.get("expires_in", self.auth.default_lifetime_seconds))
        self._expires_at = time.monotonic() + lifetime
