"""TikTok calls the sandbox tests make straight to the handler (no HTTP)."""

from __future__ import annotations

from datetime import date

from sandbox.tiktok_api import API_PREFIX, DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, TikTokApi


def tiktok_token(api: TikTokApi, day: date) -> str:
    """A client-credentials token with the sandbox's default client, as of `day`."""
    form = (
        f"client_key={DEFAULT_CLIENT_KEY}&client_secret={DEFAULT_CLIENT_SECRET}"
        "&grant_type=client_credentials"
    )
    answer = api.handle("POST", f"{API_PREFIX}v2/oauth/token/", {}, {}, form.encode(), day)
    return str(answer.body["access_token"])
