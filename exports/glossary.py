"""Plain-language meaning of every quality flag the export shows.

One place for the words: the workbook (its flag cells, its "About" sheet) and the HTML report
read them from here. Thresholds are the defaults of the dbt project's vars (SPEC 5.3); a brand
that changes a var should change the sentence too. The columns' labels and meanings are the
marts' own, in their dbt contract (meta `label` and `meaning`), read from the BI copy
(exports/columns.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    label: str  # what a person reads in a header or a legend
    meaning: str  # one or two sentences without jargon


# Each quality flag (SPEC 5.3): what it means, and what a person can do about it.
FLAGS: dict[str, Term] = {
    "follower_spike": Term(
        "Sudden follower jump",
        "The account gained far more followers in one day than its usual daily ups and downs "
        "(and more than 2% of its audience). Often a viral post; sometimes bought followers. "
        "High severity when engagement afterwards fell to less than half of before, which is "
        "what bought followers look like.",
    ),
    "follower_drop": Term(
        "Sudden follower loss",
        "The account lost more than 5% of its followers in one day. Platforms remove fake "
        "accounts in sweeps, so this often follows a purchase of followers.",
    ),
    "low_engagement": Term(
        "Low engagement",
        "Over the last 30 days (at least 3 posts) the account's audience interacted at less "
        "than a quarter of the typical rate for its platform and size. The audience may not be "
        "real or not interested.",
    ),
    "engagement_anomaly": Term(
        "Unusual comments",
        "A post got many more comments per like than the account's usual posts (over 5 times). "
        "Typical of comment pods or bot comments.",
    ),
    "undisclosed_sponsorship": Term(
        "Sponsored post without disclosure",
        "A post made for one of our contracts does not say it is an ad (#ad, #sponsored, "
        "'paid partnership'). Advertising rules require a clear disclosure: ask the creator to "
        "add it.",
    ),
    "weak_disclosure": Term(
        "Weak disclosure",
        "A sponsored post only says #sp, #spon, #collab, #partner or #ambassador, or the clear "
        "disclosure only comes after the first 125 characters (hidden behind 'more'). Ask for "
        "a clear #ad at the start.",
    ),
    "brand_safety": Term(
        "Brand-safety term",
        "A caption contains a word from the brand-safety list (the category is in the "
        "evidence). Read the post before promoting it.",
    ),
    "competitor_mention": Term(
        "Competitor mentioned",
        "The creator mentioned a competitor while under an exclusive contract with us.",
    ),
    "inactive_partner": Term(
        "Inactive partner", "An active creator has not posted for more than 30 days."
    ),
    "late_payment": Term(
        "Late payment",
        "We paid the creator after the due date, or a payment is still unpaid past it. Late "
        "payments hurt the relationship.",
    ),
    "negative_sentiment_shift": Term(
        "Audience turned negative",
        "The audience's net sentiment under the creator's posts fell by more than 0.3 from one "
        "month to the next (at least 50 scored comments in each). Read the comments before "
        "the next campaign.",
    ),
}


def flag(flag_type: str) -> Term:
    return FLAGS.get(flag_type) or Term(flag_type.replace("_", " ").capitalize(), "")
