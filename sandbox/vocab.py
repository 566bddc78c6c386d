"""Word lists the synthetic world draws names and texts from.

Names include apostrophes and non-ASCII letters on purpose: the pipeline must carry them through
CSV, JSON and SQL unharmed. Texts avoid disclosure tags (#ad, #collab, ...) and brand names, so
organic posts never trip the sponsorship flags; injected cases add those deliberately.
"""

from __future__ import annotations

from dataclasses import dataclass

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


NICHES: dict[str, Niche] = {
    "beauty": Niche(
        ("skincare", "makeup", "hair care", "fragrance", "nail art"),
        ("#beauty", "#skincare", "#makeup", "#glowup", "#grwm"),
        "Beauty",
        "26",
    ),
    "fitness": Niche(
        ("home workout", "running", "yoga", "strength training", "meal prep"),
        ("#fitness", "#workout", "#gymtok", "#yoga", "#healthyliving"),
        "Moves",
        "17",
    ),
    "gaming": Niche(
        ("speedrun", "indie games", "retro consoles", "strategy games", "co-op"),
        ("#gaming", "#gamer", "#indiegames", "#letsplay", "#retrogaming"),
        "Plays",
        "20",
    ),
    "food": Niche(
        ("weeknight dinners", "sourdough", "street food", "vegan baking", "coffee"),
        ("#food", "#recipe", "#foodie", "#homecooking", "#baking"),
        "Cooks",
        "26",
    ),
    "travel": Niche(
        ("city guide", "van life", "budget travel", "island hopping", "night trains"),
        ("#travel", "#wanderlust", "#travelguide", "#roadtrip", "#backpacking"),
        "Travels",
        "19",
    ),
    "tech": Niche(
        ("smartphones", "desk setup", "budget laptops", "smart home", "audio gear"),
        ("#tech", "#gadgets", "#setup", "#techreview", "#unboxing"),
        "Tech",
        "28",
    ),
    "fashion": Niche(
        ("capsule wardrobe", "thrift finds", "sneakers", "street style", "tailoring"),
        ("#fashion", "#ootd", "#style", "#thrifted", "#outfitinspo"),
        "Style",
        "26",
    ),
    "parenting": Niche(
        ("toddler meals", "family travel", "bedtime routines", "crafts", "school mornings"),
        ("#parenting", "#momlife", "#dadlife", "#familytime", "#kidsactivities"),
        "Family",
        "22",
    ),
    "outdoors": Niche(
        ("hiking", "camping gear", "trail running", "climbing", "wild swimming"),
        ("#outdoors", "#hiking", "#camping", "#getoutside", "#naturelovers"),
        "Outdoors",
        "19",
    ),
}

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
