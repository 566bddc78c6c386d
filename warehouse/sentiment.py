"""Comment sentiment: VADER's compound score after language detection (SPEC 5.5, issue 20).

The model is VADER (Hutto & Gilbert, ICWSM 2014), a lexicon and rule model made for social-media
text; its lexicon and emoji lexicon ship inside the `vaderSentiment` package. Languages are told
by `langdetect`, whose profiles ship inside its package; it is random unless seeded, so it is
seeded once per process and the same text always gets the same answer. Nothing is downloaded at
run time. docs/sentiment.md names the model, its published accuracy and the limits of the rules
below.

A comment gets one of four labels: positive (compound >= the positive threshold), negative
(compound <= the negative threshold), neutral (in between) or `unscored`, which is never neutral:
VADER is an English model, so a comment is unscored when it is empty, not English, of a language
that cannot be told, or when VADER finds nothing it knows in it (only emoji its lexicon lacks).
VADER returns a compound of 0.0 both for a real neutral sentence and for text it knows nothing
of; the two are told apart by its word-level evidence (a token found in its lexicon).

Short texts defeat language detectors (langdetect calls "love it" Slovenian and "Das ist toll"
English), so the detector is asked only from `MIN_LETTERS_TO_DETECT` letters on. An English word
here is one of VADER's lexicon or of a short list of common English words. A shorter text is
English when more than half of its words are English words and either VADER found sentiment in
it or all of its words are English; otherwise its language is undetermined and it is unscored.
A longer text is English when the detector says so or when at least three quarters of its words
are English (the detector still errs on a sentence or two). A text with no letters at all (emoji,
emoticons) has no language: it is scored when VADER's lexicon knows something in it, and
unscored otherwise.

Where it runs: the `score_comments` task of irm_transform, between the load and dbt
(warehouse/comment_scores.py), scores the raw comments not yet scored into `raw.comment_scores`
keyed by comment (language, compound, unscored reason). SQL cannot run VADER, and scoring at
load time would tie the loader to the model; a separate table keyed by comment keeps it
incremental (a comment is scored once; a change of thresholds only relabels, from the stored
compound, in dbt) and lets `fct_comment` join it. The same step scores the text of each post
listening found, once per post, into `raw.mention_scores` (the mention marts' net sentiment).

Importing this module is cheap: vaderSentiment and langdetect are imported, and VADER's lexicon
loaded, on the first score only (a DAG parse imports warehouse modules indirectly).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

Label = Literal["positive", "neutral", "negative", "unscored"]
UnscoredReason = Literal["empty", "not_english", "language_undetermined", "no_lexicon_evidence"]

DEFAULT_POSITIVE_THRESHOLD = 0.05
DEFAULT_NEGATIVE_THRESHOLD = -0.05

# Below this many letters langdetect's answer is close to a guess (measured in docs/sentiment.md).
MIN_LETTERS_TO_DETECT = 20
LANGDETECT_SEED = 0
ENGLISH = "en"
# From this share of English words on, a long text is English even if the detector says not.
ENGLISH_SHARE_OVERRIDING_DETECTOR = 0.75

# Links and @handles carry no language and mislead the detector; '#' only marks a word.
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

# Common English words that carry no sentiment, so are absent from VADER's lexicon: with it they
# let a short comment ("where did you buy this?", "love it") be recognised as English.
_COMMON_ENGLISH_WORDS = """
    a about above after again all almost also always am an and another any anyone anything are
    around as at back be because been before being both but buy by came can can't come could day
    days did didn't do does doesn't doing don't done down each even ever every far few find first
    for found from get gets getting give go goes going got had has have having he her here hers
    him his how i i'd i'll i'm i've if in into is isn't it it's its just know last let like long
    look looks made make many may me mine more most much must my need never new next no not now
    of off on once one only or other our out over own people put really right said same say see
    seen she should show since so some someone something still such take than that that's the
    their them then there these they thing things think this those though through time to today
    tomorrow too try two under until up us use used using very want was watch watched watching
    way we week well went were what when where which while who whom why will with would year yet
    you you're your yours yourself
    bro camera channel guys link lol omg part post product review video vid vlog
"""
_COMMON_ENGLISH = frozenset(_COMMON_ENGLISH_WORDS.split())


@dataclass(frozen=True)
class Score:
    """One comment's sentiment: `compound` is None exactly when `label` is unscored."""

    language: str | None
    compound: float | None
    label: Label
    unscored_reason: UnscoredReason | None = None


def score_comment(
    text: str | None,
    *,
    positive: float = DEFAULT_POSITIVE_THRESHOLD,
    negative: float = DEFAULT_NEGATIVE_THRESHOLD,
) -> Score:
    """Score one comment; thresholds are inclusive, as in VADER's documentation."""
    if negative > positive:
        raise ValueError(f"negative threshold {negative} is above positive threshold {positive}")
    cleaned = _strip_links_and_handles(text or "")
    if not cleaned.strip():
        return Score(None, None, "unscored", "empty")
    analyzer = _analyzer()
    has_evidence = _has_lexicon_evidence(analyzer, cleaned)
    language = _language(cleaned, has_evidence)
    if language is None and _WORD.search(cleaned):
        return Score(None, None, "unscored", "language_undetermined")
    if language not in (None, ENGLISH):
        return Score(language, None, "unscored", "not_english")
    if not has_evidence and language is None:
        return Score(None, None, "unscored", "no_lexicon_evidence")
    compound = analyzer.polarity_scores(cleaned)["compound"]
    return Score(language, compound, _label(compound, positive, negative))


def score_comments(
    texts: Iterable[str | None],
    *,
    positive: float = DEFAULT_POSITIVE_THRESHOLD,
    negative: float = DEFAULT_NEGATIVE_THRESHOLD,
) -> list[Score]:
    """Score a batch of comments, in order (the analyzer is built once for all of them). A
    score depends on the text and the thresholds alone (language detection is seeded), so a
    text that comes again ("Love it!", a lone emoji) is scored once per batch, and a short one
    once per process (`_kept_scores`)."""
    scores: dict[str | None, Score] = {}
    result = []
    for text in texts:
        if text not in scores:
            scores[text] = _score_once(text, positive, negative)
        result.append(scores[text])
    return result


# Short comments repeat across the batches of a run ("Love it!", "🔥🔥"), and language
# detection is most of their cost. They are kept between batches, a bounded number of them;
# long texts rarely repeat and are not kept, so the memory stays small (at most about
# MAX_KEPT_SCORES * MAX_CACHED_TEXT_CHARACTERS characters).
MAX_CACHED_TEXT_CHARACTERS = 280
MAX_KEPT_SCORES = 50_000
_kept_scores: OrderedDict[tuple[str, float, float], Score] = OrderedDict()


def _score_once(text: str | None, positive: float, negative: float) -> Score:
    if text is None or len(text) > MAX_CACHED_TEXT_CHARACTERS:
        return score_comment(text, positive=positive, negative=negative)
    key = (text, positive, negative)
    kept = _kept_scores.get(key)
    if kept is None:
        kept = _kept_scores[key] = score_comment(text, positive=positive, negative=negative)
        if len(_kept_scores) > MAX_KEPT_SCORES:
            _kept_scores.popitem(last=False)  # the oldest first
    return kept


def forget_scores() -> None:
    """Drop the scores kept between batches (tests that count the detector's calls)."""
    _kept_scores.clear()


def _label(compound: float, positive: float, negative: float) -> Label:
    if compound >= positive:
        return "positive"
    if compound <= negative:
        return "negative"
    return "neutral"


def _strip_links_and_handles(text: str) -> str:
    return _MENTION.sub(" ", _URL.sub(" ", text))


def _language(text: str, has_evidence: bool) -> str | None:
    """The comment's language code; None when it has no words or they cannot be told apart."""
    words = [word.lower() for word in _WORD.findall(text)]
    if not words:
        return None
    english_share = _english_word_share(words)
    if sum(len(word) for word in words) < MIN_LETTERS_TO_DETECT:
        # Too short for the detector: most words must be English, and VADER must find sentiment
        # in it unless every word is English (a short neutral question is still English).
        is_english = english_share > 0.5 and (has_evidence or english_share == 1.0)
        return ENGLISH if is_english else None
    detected = _detect_language(text)
    # The detector reads character n-grams and still errs on a sentence or two ("Your editing is
    # getting better every week" comes out Afrikaans): overwhelmingly English words win.
    if detected != ENGLISH and english_share >= ENGLISH_SHARE_OVERRIDING_DETECTOR:
        return ENGLISH
    return detected


def _english_word_share(words: list[str]) -> float:
    lexicon = _analyzer().lexicon
    english = [word for word in words if word in lexicon or word in _COMMON_ENGLISH]
    return len(english) / len(words)


def _has_lexicon_evidence(analyzer: SentimentIntensityAnalyzer, text: str) -> bool:
    """True when VADER finds a token of its lexicon, as polarity_scores would (emoji included)."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText

    # polarity_scores replaces each emoji by its description before reading words; boosters
    # ("very") only scale a neighbour's valence and are no evidence on their own.
    described = "".join(
        f" {analyzer.emojis[char]} " if char in analyzer.emojis else char for char in text
    )
    tokens = SentiText(described).words_and_emoticons
    return any(
        token.lower() in analyzer.lexicon and token.lower() not in BOOSTER_DICT for token in tokens
    )


def _detect_language(text: str) -> str | None:
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    _seed_language_detector()
    try:
        candidates = detect_langs(text)
    except LangDetectException:  # no letters it has a profile for
        return None
    return candidates[0].lang if candidates else None


@cache
def _seed_language_detector() -> None:
    # langdetect samples n-grams at random: a fixed seed makes every call and process agree.
    from langdetect import DetectorFactory

    DetectorFactory.seed = LANGDETECT_SEED


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    # Reading the lexicons costs tens of milliseconds: once per process, on first use.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()
