"""What the pipeline should find, written as JSON so tests can measure detection and loss.

Format (version 1; every date is YYYY-MM-DD, every timestamp RFC 3339 UTC):

    {
      "format": "irm-sandbox-ground-truth", "version": 1,
      "world": {"seed", "accounts", "days", "start_date", "end_date"},
      "as_of": "2026-03-01",
      "series_start": "2026-01-01",          # index 0 of every daily series; last index = as_of
      "counts": {"creators", "accounts", "accounts_by_platform": {...},
                 "youtube_channels", "youtube_channels_hidden_subscribers", "youtube_videos",
                 "youtube_videos_likes_hidden", "youtube_videos_comments_disabled"},
      "youtube": {"channels": {"<channel_id>": {
          "creator_id", "handle", "hidden_subscriber_count": bool,
          "tier": "nano|micro|mid|macro" | null,      # from the count the API shows on as_of
          "subscriber_counts": [int | null, ...],     # as the API shows it per day, null if hidden
          "view_count", "video_count",                # as of as_of
          "videos": [{"video_id", "published_at", "views", "likes", "comments"}, ...]
      }}}
    }

Videos are every video visible on `as_of` (the back catalogue before start_date included),
oldest first, with counts as of `as_of`; `likes`/`comments` are null where the API omits them.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from sandbox.world import World, round_3_significant, tier_of

FORMAT, VERSION = "irm-sandbox-ground-truth", 1


def _rfc3339(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def youtube_channel_truth(world: World, account_index: int, day: date) -> dict[str, Any]:
    account = world.account(account_index)
    d = world.day_index(day)
    followers = world.followers(account_index)[: d + 1].tolist()
    shown = [None if account.hidden_followers else round_3_significant(f) for f in followers]
    count = world.visible_count(account_index, d)
    views, likes, comments = world.metrics(account_index, d, slice(0, count))
    posts = world.posts(account_index)
    videos = [
        {
            "video_id": world.video_id(account_index, i),
            "published_at": _rfc3339(world.post_published_at(account_index, i)),
            "views": int(views[i]),
            "likes": None if posts.likes_hidden[i] else int(likes[i]),
            "comments": None if posts.comments_hidden[i] else int(comments[i]),
        }
        for i in range(count)
    ]
    return {
        "creator_id": world.creator_of(account).creator_id,
        "handle": account.handle,
        "hidden_subscriber_count": account.hidden_followers,
        "tier": None if shown[-1] is None else tier_of(shown[-1]),
        "subscriber_counts": shown,
        "view_count": account.base_views + int(views.sum()),
        "video_count": count,
        "videos": videos,
    }


def build_ground_truth(world: World, day: date) -> dict[str, Any]:
    world.day_index(day)  # validates
    channels = {
        a.platform_id: youtube_channel_truth(world, a.index, day)
        for a in world.accounts_on("youtube")
    }
    videos = [v for c in channels.values() for v in c["videos"]]
    summary = world.summary()
    return {
        "format": FORMAT,
        "version": VERSION,
        "world": {k: summary[k] for k in ("seed", "accounts", "days", "start_date", "end_date")},
        "as_of": day.isoformat(),
        "series_start": world.start_date.isoformat(),
        "counts": {
            "creators": len(world.creators),
            "accounts": len(world.accounts),
            "accounts_by_platform": summary["accounts_by_platform"],
            "youtube_channels": len(channels),
            "youtube_channels_hidden_subscribers": sum(
                c["hidden_subscriber_count"] for c in channels.values()
            ),
            "youtube_videos": len(videos),
            "youtube_videos_likes_hidden": sum(v["likes"] is None for v in videos),
            "youtube_videos_comments_disabled": sum(v["comments"] is None for v in videos),
        },
        "youtube": {"channels": channels},
    }


def write_ground_truth(world: World, day: date, out: str | Path) -> Path:
    """Write ground_truth JSON to `out` (a file path, or a folder to hold ground_truth.json)."""
    path = Path(out)
    if path.is_dir():
        path = path / "ground_truth.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(build_ground_truth(world, day), handle, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, path)
    return path
