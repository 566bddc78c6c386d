"""The ground truth's contract with the tests that measure the pipeline against it.

How well the pipeline's flags find the injected cases is measured on the pipeline itself
(tests/dbt/test_marts_against_sandbox.py); here, without any detector, what that measurement
relies on: every kind of case is injected, a case shows only once it is visible, natural texts
carry no flag token, and the world's word lists are the warehouse's seeds.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sandbox import vocab
from sandbox.injections import injected_cases
from sandbox.world import World

SEED, ACCOUNTS, DAYS = 7, 200, 90
CASE_KINDS = (
    "follower_spike", "follower_drop", "low_engagement", "engagement_anomaly",
    "undisclosed_sponsorship", "weak_disclosure", "brand_safety", "competitor_mention",
    "inactive_partner", "late_payment", "order_cancelled", "order_refunded", "went_cold",
    "negative_sentiment_shift",
)  # fmt: skip
_SEPARATORS = re.compile(r"[\s!\"$%&'()*+,./:;<=>?\[\\\]^`{|}~-]+")


def words(text: str) -> str:
    """Lower-case words, `#` and `@` kept on their word, padded: a token matches whole words."""
    spaced = _SEPARATORS.sub(" ", re.sub(r"([#@])", r" \1", text.lower())).strip()
    return f" {spaced} "


def test_every_kind_of_case_is_injected() -> None:
    world = World(SEED, ACCOUNTS, DAYS)
    cases = injected_cases(world, world.end_date)
    counts = Counter(c["flag_type"] for c in cases)
    assert set(counts) == set(CASE_KINDS)
    assert min(counts.values()) >= 2, counts
    spikes = [c for c in cases if c["flag_type"] == "follower_spike"]
    assert {c["detail"]["severity"] for c in spikes} == {"high", "medium"}


def test_injected_cases_show_once_visible() -> None:
    world = World(SEED, ACCOUNTS, DAYS)
    as_of = world.start_date + timedelta(days=40)
    early = injected_cases(world, as_of)
    late = injected_cases(world, world.end_date)
    count = Counter(c["flag_type"] for c in early)
    assert count["follower_spike"] < Counter(c["flag_type"] for c in late)["follower_spike"]
    assert all(c["day"] <= as_of.isoformat() for c in early if c["flag_type"] != "went_cold")


def test_natural_texts_carry_no_flag_token() -> None:
    """The word lists the world writes captions from hold no disclosure, brand-safety or
    competitor token, so what the flags find in a caption is what the world injected."""
    natural = words(
        " ".join(
            [
                *vocab.TITLE_TEMPLATES,
                *vocab.OPENERS,
                *vocab.SHOUTOUTS,
                *vocab.FORMATS,
                *(t for n in vocab.NICHES.values() for t in (*n.topics, *n.hashtags)),
                *vocab.SPONSORED_OPENERS,
                *vocab.SPONSORED_PLAIN_OPENERS,
                *vocab.PROMO_LINES,
                vocab.BURIED_FILLER,
            ]
        )
    )
    tokens = [
        *vocab.CLEAR_DISCLOSURES,
        *vocab.WEAK_DISCLOSURES,
        *(term for term, _ in vocab.BRAND_SAFETY_TERMS),
        *(t for _, tokens in vocab.COMPETITORS for t in tokens),
    ]
    assert [t for t in tokens if words(t) in natural] == []


def _seed(name: str) -> list[dict[str, str]]:
    path = Path(__file__).parents[2] / "dbt_project" / "seeds" / f"{name}.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_worlds_word_lists_are_the_warehouse_seeds() -> None:
    """What the world injects is what the flags look for, and money converts alike."""
    assert [(r["term"], r["category"]) for r in _seed("brand_safety_terms")] == list(
        vocab.BRAND_SAFETY_TERMS
    )
    seeded = {(r["competitor"], words(r["token"])) for r in _seed("competitors")}
    assert all(r["brand"] == "*" for r in _seed("competitors"))
    assert seeded == {(c, words(t)) for c, tokens in vocab.COMPETITORS for t in tokens}
    strength = {r["token"]: r["strength"] for r in _seed("disclosure_tokens")}
    assert {t for t, s in strength.items() if s == "weak"} == set(vocab.WEAK_DISCLOSURES)
    assert {t for t, s in strength.items() if s == "clear"} == set(vocab.CLEAR_DISCLOSURES)
    rates = {r["currency"]: float(r["usd_per_unit"]) for r in _seed("currency_rates")}
    assert {c: rates[c] for c in vocab.CURRENCY_RATES_USD} == vocab.CURRENCY_RATES_USD
