"""The comment sentiment scorer (warehouse/sentiment.py): VADER after language detection, with
`unscored` for what it cannot score, never neutral."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.sentiment import Score, score_comment, score_comments

REPO_ROOT = Path(__file__).resolve().parents[2]

POSITIVE_ENGLISH = [
    "This is the best video I have seen all week!",
    "I really love how you explained this, thanks",
    "Thanks for sharing",
    "love it",
]
NEGATIVE_ENGLISH = [
    "Honestly this product broke after two days, total waste of money",
    "Terrible customer service, never again",
    "Worst purchase ever",
]
NEUTRAL_ENGLISH = [
    "The video was uploaded on Tuesday and it is ten minutes long.",
    "Where did you buy that jacket?",
]
NOT_ENGLISH = {
    "Me encanta este video, gracias por compartir": "es",
    "Este producto es una basura, no lo compren": "es",
    "Das ist wirklich ein tolles Video, danke dir": "de",
    "Ich finde das Produkt leider ziemlich schlecht": "de",
    "J'adore cette vidéo, merci beaucoup pour le partage": "fr",
    "C'est vraiment nul, je ne recommande pas": "fr",
    "Adorei esse vídeo, muito obrigado pelas dicas": "pt",
    "Que produto horrível, não comprem isso": "pt",
}
# Every kind of case at once, for the batch, invariant, determinism and offline tests.
MIXED_CORPUS = [*POSITIVE_ENGLISH, *NEGATIVE_ENGLISH, *NEUTRAL_ENGLISH, *NOT_ENGLISH]
MIXED_CORPUS += [
    "😂😂",
    "🫠🫠",
    "",
    "Sehr gut gemacht",
    "Your editing is getting better every week",
]
# Unseeded, langdetect answers these either way from one call to the next (it or ca, fr or en).
LANGUAGE_COIN_FLIP = "Super video, merci beaucoup"
MIXED_CORPUS += [LANGUAGE_COIN_FLIP, "Not my favourite episode but fine"]


@pytest.mark.parametrize("text", POSITIVE_ENGLISH)
def test_clearly_positive_english_comments_are_positive(text: str) -> None:
    score = score_comment(text)
    assert (score.language, score.label) == ("en", "positive")
    assert score.compound is not None and 0.05 <= score.compound <= 1.0


@pytest.mark.parametrize("text", NEGATIVE_ENGLISH)
def test_clearly_negative_english_comments_are_negative(text: str) -> None:
    score = score_comment(text)
    assert (score.language, score.label) == ("en", "negative")
    assert score.compound is not None and -1.0 <= score.compound <= -0.05


@pytest.mark.parametrize("text", NEUTRAL_ENGLISH)
def test_an_english_sentence_without_sentiment_is_neutral_not_unscored(text: str) -> None:
    assert score_comment(text) == Score("en", 0.0, "neutral")


@pytest.mark.parametrize(("text", "language"), NOT_ENGLISH.items())
def test_other_languages_are_unscored_with_their_language(text: str, language: str) -> None:
    assert score_comment(text) == Score(language, None, "unscored", "not_english")


@pytest.mark.parametrize("text", ["", "   \n ", None, "@acme https://example.com/p/1"])
def test_empty_comments_are_unscored(text: str | None) -> None:
    assert score_comment(text) == Score(None, None, "unscored", "empty")


@pytest.mark.parametrize("text", ["🫠🫠", "🫠", "...", "12345"])
def test_emoji_or_symbols_the_lexicon_lacks_are_unscored_not_neutral(text: str) -> None:
    assert score_comment(text) == Score(None, None, "unscored", "no_lexicon_evidence")


def test_emoji_the_lexicon_knows_are_scored_without_a_language() -> None:
    score = score_comment("😂😂")
    assert (score.language, score.label) == (None, "positive")


@pytest.mark.parametrize(
    "text",
    ["Sehr gut gemacht", "Muy bueno el video", "Tres bien fait", "Muito bom mesmo", "super bien"],
)
def test_a_short_text_of_mostly_unknown_words_has_no_language_and_is_unscored(text: str) -> None:
    assert score_comment(text) == Score(None, None, "unscored", "language_undetermined")


def test_a_short_text_is_not_trusted_to_the_detector() -> None:
    # langdetect calls "Das ist toll" English and "love it" Slovenian: the short-text rule does not.
    assert score_comment("Das ist toll").label == "unscored"
    assert score_comment("love it").language == "en"


def test_overwhelmingly_english_words_win_over_the_detector() -> None:
    assert score_comment("Your editing is getting better every week").language == "en"


def test_thresholds_move_a_borderline_comment_between_labels() -> None:
    mild = score_comment("It is okay I guess")
    assert mild.label == "positive" and mild.compound is not None
    assert score_comment("It is okay I guess", positive=mild.compound + 0.01).label == "neutral"

    mildly_bad = score_comment("This is kind of disappointing honestly")
    assert mildly_bad.label == "negative" and mildly_bad.compound is not None
    above = mildly_bad.compound - 0.01
    relabelled = score_comment("This is kind of disappointing honestly", negative=above)
    assert relabelled.label == "neutral"


def test_thresholds_in_the_wrong_order_are_refused() -> None:
    with pytest.raises(ValueError, match="negative threshold"):
        score_comment("love it", positive=-0.1, negative=0.1)


def test_a_batch_scores_each_comment_in_order() -> None:
    assert score_comments(MIXED_CORPUS) == [score_comment(text) for text in MIXED_CORPUS]
    assert score_comments(["love it"], positive=0.9) == [score_comment("love it", positive=0.9)]


def test_a_text_repeated_in_a_batch_is_scored_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from warehouse import sentiment

    scored: list[str | None] = []
    real = sentiment.score_comment

    def counting(text: str | None, **thresholds: float) -> Score:
        scored.append(text)
        return real(text, **thresholds)

    monkeypatch.setattr(sentiment, "score_comment", counting)
    sentiment.forget_scores()  # kept from another test's batch, it would not be scored here
    batch = ["Love it!", "This is terrible.", "Love it!", "Love it!", None, None]
    scores = score_comments(batch)
    assert scored == ["Love it!", "This is terrible.", None]
    assert scores[0] == scores[2] == scores[3] == real("Love it!")


def test_a_short_text_scored_in_an_earlier_batch_is_not_scored_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scoring run goes in batches of thousands; short comments ("Love it!", an emoji) come
    back in every batch, and language detection is most of their cost (issue 19: a 200-account
    world's scoring spent 84 % of its time in langdetect)."""
    from warehouse import sentiment

    detected: list[str] = []
    real = sentiment._detect_language

    def counting(text: str) -> str | None:
        detected.append(text)
        return real(text)

    monkeypatch.setattr(sentiment, "_detect_language", counting)
    sentiment.forget_scores()
    text = "Honestly this is the best review of the camera I have watched"
    first = score_comments([text])
    again = score_comments([text, text])
    assert detected == [text]
    assert first == again[:1] == again[1:] == [score_comment(text)]
    # Thresholds are part of a score: other thresholds give another score, not the kept one.
    assert first[0].label == "positive"
    assert score_comments([text], positive=0.99)[0].label == "neutral"


def test_a_long_text_is_not_kept_between_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only short texts are kept (they are the ones that repeat), so the cache's memory stays
    small whatever the comments' lengths."""
    from warehouse import sentiment

    detected: list[str] = []
    real = sentiment._detect_language
    monkeypatch.setattr(sentiment, "_detect_language", lambda t: detected.append(t) or real(t))
    sentiment.forget_scores()
    long_text = "This camera review is really great and I like it. " * 20
    assert len(long_text) > sentiment.MAX_CACHED_TEXT_CHARACTERS
    score_comments([long_text])
    score_comments([long_text])
    assert len(detected) == 2


def test_compound_is_present_exactly_when_the_comment_is_scored() -> None:
    for score in score_comments(MIXED_CORPUS):
        assert (score.compound is None) == (score.label == "unscored")
        assert (score.unscored_reason is None) == (score.label != "unscored")


def test_scoring_is_the_same_on_every_call() -> None:
    # Unseeded, this text comes out Italian about four times in five and Catalan otherwise.
    assert len({score_comment(LANGUAGE_COIN_FLIP) for _ in range(30)}) == 1
    first = score_comments(MIXED_CORPUS)
    assert all(score_comments(MIXED_CORPUS) == first for _ in range(3))


# Blocks every socket before anything is imported, then scores the corpus: the first score in a
# process reads both packages' data, so a download at that moment would fail the run.
_OFFLINE_SCORER = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise RuntimeError("network used")

socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from warehouse.sentiment import score_comments
texts = json.load(sys.stdin)
print(json.dumps([list(vars(score).values()) for score in score_comments(texts)]))
"""


def _run_in_a_fresh_process(code: str, *, stdin: str = "", hash_seed: str = "0") -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    args = [sys.executable, "-c", code]
    run = subprocess.run(args, input=stdin, capture_output=True, text=True, cwd=REPO_ROOT, env=env)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _score_in_a_fresh_offline_process(texts: list[str], hash_seed: str) -> list[Score]:
    output = _run_in_a_fresh_process(_OFFLINE_SCORER, stdin=json.dumps(texts), hash_seed=hash_seed)
    return [Score(*fields) for fields in json.loads(output)]


def test_scoring_is_the_same_across_processes_and_needs_no_network() -> None:
    in_this_process = score_comments(MIXED_CORPUS)
    assert _score_in_a_fresh_offline_process(MIXED_CORPUS, "1") == in_this_process
    assert _score_in_a_fresh_offline_process(MIXED_CORPUS, "2") == in_this_process


def test_importing_the_module_loads_neither_model() -> None:
    # A DAG parse imports warehouse modules indirectly: the models load on the first score only.
    loaded = _run_in_a_fresh_process("import sys, warehouse.sentiment; print(*sys.modules)")
    assert {"vaderSentiment", "langdetect"}.isdisjoint(loaded.split())
