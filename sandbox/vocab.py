"""Word lists the synthetic world draws names and texts from.

Names include apostrophes and non-ASCII letters on purpose: the pipeline must carry them through
CSV, JSON and SQL unharmed. Texts avoid disclosure tags (#ad, #collab, ...) and brand names, so
organic posts never trip the sponsorship flags; injected cases add those deliberately.

The long tables of words (each niche's topics and hashtags, the comments by language and
polarity) are data: they live in vocab.toml beside this module, read once at import.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any


def _word_tables() -> dict[str, Any]:
    """vocab.toml, shipped in the package (read through importlib.resources, not a path)."""
    return tomllib.loads(resources.files("sandbox").joinpath("vocab.toml").read_text("utf-8"))


_TABLES = _word_tables()

FIRST_NAMES = (
    "Maya", "Liam", "Sofia", "Noah", "Aisha", "Lucas", "Chloé", "Mateo", "Hana", "Oliver",
    "Zoë", "Ethan", "Priya", "Leo", "Amara", "Jonas", "Mei", "Diego", "Freya", "Kofi",
    "Inès", "Sam", "Yuki", "Elif", "Omar", "Nora", "Rafael", "Ava", "Tariq", "Lena",
    "Björn", "Camila", "Ravi", "Isla", "Mila", "Kai", "Aylin", "Theo", "Zara", "Felix",
)  # fmt: skip

LAST_NAMES = (
    "Chen", "O'Brien", "García", "Okafor", "Müller", "Nguyen", "Rossi", "Kowalski", "Haddad",
    "Silva", "D'Souza", "Larsen", "Tanaka", "Dubois", "Patel", "Kim", "Novak", "Ødegaard",
    "Mensah", "Fischer", "López", "Ivanova", "Cohen", "Yılmaz", "Walsh", "Moreau", "Santos",
    "Berg", "Ahmed", "Romero", "Schmidt", "Costa", "Ali", "Lindqvist", "Murphy", "Sato",
)  # fmt: skip

MANAGERS = ("Alex Rivera", "Jordan Blake", "Priya Natarajan", "Sam Whitfield", "Chris Okoye")

# ISO 3166 alpha-2 codes and weights: a brand's roster leans towards its home markets.
COUNTRIES = (
    ("US", 30), ("GB", 12), ("CA", 6), ("AU", 5), ("DE", 8), ("FR", 7), ("ES", 5), ("IT", 4),
    ("NL", 3), ("SE", 3), ("BR", 5), ("MX", 4), ("IN", 5), ("JP", 3),
)  # fmt: skip

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")  # reserved for examples (RFC 2606)

FORMATS = ("review", "tutorial", "vlog", "Q&A", "first look", "routine", "challenge", "tips")


@dataclass(frozen=True)
class Niche:
    topics: tuple[str, ...]
    hashtags: tuple[str, ...]
    channel_word: str  # "Maya Cooks", "Liam Plays"
    category_id: str  # YouTube video category


def _niche(table: dict[str, Any]) -> Niche:
    topics, hashtags = tuple(table["topics"]), tuple(table["hashtags"])
    return Niche(topics, hashtags, table["channel_word"], table["category_id"])


# In vocab.toml's order, which matters: a creator's niche is drawn from this list by position.
NICHES: dict[str, Niche] = {name: _niche(table) for name, table in _TABLES["niches"].items()}

TITLE_TEMPLATES = (
    "My {topic} {format}",
    "I tried {topic} for {n} days",
    "{n} {topic} tips nobody tells you",
    "Honest {topic} {format}",
    "{topic}: what actually worked",
    "The {topic} {format} you asked for",
)

OPENERS = (
    "In this one I finally go deep on {topic}.",
    "You asked, so here it is: everything I learned about {topic}.",
    "A slower {format} today, all about {topic}.",
    "Trying something new with {topic} this week.",
)

SHOUTOUTS = (
    "Filmed with {mention}.",
    "Big thanks to {mention} for the idea.",
    "See you next time!",
)

# ---- business: brands, campaigns, shop -----------------------------------------------------
# The brands the roster works for (an agency's clients). Handles and the FTC "#<Brand>Partner"
# disclosure derive from the name: "Lumen Coffee" -> @lumencoffee, #lumencoffeepartner.
# None of them is a competitor below, and no creator handle can collide with them.
BRANDS = (
    "Lumen Coffee", "Northwind Outfitters", "Brightside Skin", "Pixel Forge", "Tandem Bikes",
    "Harbor Kitchen", "Nimbus Audio", "Willow & Oak", "Sprout Kids", "Trailhead Gear",
    "Velvet Lane", "Orbit Fitness",
)  # fmt: skip

CAMPAIGN_THEMES = (
    "launch", "spring", "summer", "holiday", "backtoschool", "newyear", "festival", "drop",
    "refresh", "challenge",
)  # fmt: skip

CURRENCY_WEIGHTS = (("USD", 50), ("EUR", 20), ("GBP", 15), ("CAD", 8), ("AUD", 7))

# USD per unit of each currency: the same figures as dbt_project/seeds/currency_rates.csv
# (approximate rates of early January 2026), so revenue and spend convert identically in the
# world's ground truth and in the warehouse.
CURRENCY_RATES_USD = {"USD": 1.00, "EUR": 1.17, "GBP": 1.34, "CAD": 0.73, "AUD": 0.66}
REPORTING_CURRENCY = "USD"
ATTRIBUTION_WINDOW_DAYS = 14  # SPEC 5.2 default (dbt var attribution_window_days)
NEW_CUSTOMER_LOOKBACK_DAYS = 365  # SPEC 5.2 default (dbt var new_customer_lookback_days)

# The brand's shop: products with their USD list price.
PRODUCTS = (
    ("Cold Brew Kit", "CBK-01", 34.0), ("Travel Mug", "TMG-02", 22.0),
    ("Trail Daypack", "TDP-03", 79.0), ("Glow Serum", "GSR-04", 28.0),
    ("Wireless Earbuds", "WEB-05", 89.0), ("Yoga Mat", "YGM-06", 45.0),
    ("Kids Craft Box", "KCB-07", 25.0), ("Rain Shell", "RSH-08", 129.0),
    ("Protein Bars (12)", "PRB-09", 19.0), ("Desk Lamp", "DLM-10", 59.0),
)  # fmt: skip
ORGANIC_DISCOUNT_CODES = (("WELCOME10", 10), ("SPRING15", 15), ("VIP20", 20), ("FREESHIP", 0))
CANCEL_REASONS = ("customer", "inventory", "fraud", "declined", "other")

# Touchpoints: channel weights and each manager's UTC offset (CRM exports stamp local time).
TOUCHPOINT_CHANNELS = (("email", 0.45), ("dm", 0.30), ("call", 0.15), ("meeting", 0.10))
MANAGER_UTC_OFFSETS = {
    "Alex Rivera": "-05:00",
    "Jordan Blake": "+00:00",
    "Priya Natarajan": "+05:30",
    "Sam Whitfield": "+01:00",
    "Chris Okoye": "-08:00",
}

# ---- the tokens the quality flags look for (SPEC 5.3) --------------------------------------
# Each list mirrors a dbt seed (dbt_project/seeds/...): the world injects exactly these, and
# natural texts contain none of them (tests/sandbox/test_sandbox_ground_truth.py checks both).

# disclosure_tokens.csv. A campaign's "#<brand>partner" is clear too.
CLEAR_DISCLOSURES = (
    "#ad", "#sponsored", "#advertisement", "advertisement", "paid partnership",
    "#paidpartnership", "#brandpartner", "#werbung", "#anzeige", "#publicite",
)  # fmt: skip
WEAK_DISCLOSURES = ("#sp", "#spon", "#collab", "#partner", "#ambassador")
DISCLOSURE_VISIBLE_CHARS = 125  # the Instagram "more" cut; dbt var disclosure_visible_chars

# brand_safety_terms.csv: (term, category)
BRAND_SAFETY_TERMS = (
    ("casino", "gambling"), ("sports betting", "gambling"), ("#betting", "gambling"),
    ("online poker", "gambling"), ("cocaine", "drugs"), ("#weed", "drugs"), ("vape", "drugs"),
    ("#vaping", "drugs"), ("binge drinking", "alcohol"), ("#drunk", "alcohol"),
    ("firearm", "weapons"), ("assault rifle", "weapons"), ("nsfw", "adult"),
    ("onlyfans", "adult"), ("#xxx", "adult"), ("hate speech", "hate"),
    ("get rich quick", "scam"), ("crypto giveaway", "scam"), ("miracle cure", "misinformation"),
    ("anti vax", "misinformation"),
)  # fmt: skip

# competitors.csv: (competitor, tokens); brand '*' = a competitor of every brand.
COMPETITORS = (
    ("Globex", ("@globex", "#globex", "Globex")),
    ("Initech", ("@initech", "#initech", "Initech")),
    ("Umbrella Corp", ("@umbrellacorp", "#umbrellacorp")),
    ("Soylent", ("@soylentco", "#soylent")),
)

# Sentences that carry an injected token into a caption ({token}: the term or competitor).
BRAND_SAFETY_LINES = (
    "Side note: {token} came up a lot in the comments this week.",
    "Not what I planned to talk about, but {token} is everywhere right now.",
    "Some of you asked about {token}, so here is my take.",
)
COMPETITOR_LINES = (
    "Also been trying the new range from {token} lately.",
    "Spotted the {token} stand at the expo, looked fun.",
    "Quick shout to {token} for the sample box.",
)

# Sponsored captions. {signals}: the campaign's tracking hashtag, brand handle and/or promo
# code in a sentence; {topic}: the post's topic.
SPONSORED_OPENERS = (
    "Teamed up with {handle} on this one, all about {topic}.",
    "Made this {topic} video with {handle}.",
    "This week's {topic} is brought to you with {handle}.",
)
SPONSORED_PLAIN_OPENERS = (
    "This week's {topic} looks a little different.",
    "Trying something new with {topic} today.",
    "A fresh take on {topic}, made for you.",
)
PROMO_LINES = (
    "Use code {code} for {pct}% off.",
    "Code {code} gets you {pct}% off your first order.",
)
# Filler that pushes a buried disclosure past the first 125 characters.
BURIED_FILLER = (
    "I have been testing this for a few weeks now and honestly it fits right into my routine, "
    "which is rare for me. Full thoughts, pros and cons, and a few surprises are below."
)

# ---- comments under posts (sandbox/comments.py) ---------------------------------------------
# Each comment's text is one of vocab.toml's sentences, chosen by its language and its
# ground-truth polarity (that file says why the English ones are worded as they are).
COMMENT_TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    language: {polarity: tuple(texts) for polarity, texts in by_polarity.items()}
    for language, by_polarity in _TABLES["comment_texts"].items()
}
# Comments of emoji only, by polarity, that a lexicon model cannot score (vocab.toml).
EMOJI_ONLY_COMMENTS: dict[str, tuple[str, ...]] = {
    polarity: tuple(texts) for polarity, texts in _TABLES["emoji_only_comments"].items()
}
