"""Plain-language meaning of every metric and quality flag the export shows.

One place for the words: the workbook's "About" sheet, its header notes and the HTML report all
read them from here. Thresholds are the defaults of the dbt project's vars (SPEC 5.2, 5.3); a
brand that changes a var should change the sentence too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    label: str  # what a person reads in a header or a legend
    meaning: str  # one or two sentences without jargon


# Columns of the marts (SPEC 5.1) and the few extra columns the marts carry.
METRICS: dict[str, Term] = {
    "creator_id": Term("Creator ID", "The creator's id in the CRM."),
    "creator_name": Term("Creator", "The creator's display name from the CRM."),
    "display_name": Term("Name", "The creator's display name from the CRM."),
    "account_id": Term("Account ID", "One social account: the platform and its id."),
    "handle": Term("Handle", "The account's @name on its platform."),
    "platform": Term("Platform", "YouTube, Instagram or TikTok."),
    "tier": Term(
        "Tier",
        "Size class by followers: nano under 1,000; micro 1,000 to 9,999; mid-tier 10,000 to "
        "99,999; macro 100,000 or more.",
    ),
    "primary_platform": Term("Main platform", "The platform of the creator's biggest account."),
    "status": Term("Status", "The creator's status in the CRM (for example active or paused)."),
    "manager": Term("Manager", "The person in the team who looks after the creator."),
    "country": Term("Country", "The creator's country, from the CRM."),
    "niche": Term("Niche", "The creator's main topic, from the CRM."),
    "first_partnered_on": Term("Partner since", "The day the partnership with the brand began."),
    "followers": Term("Followers", "Followers (subscribers on YouTube) at the latest check."),
    "following": Term("Following", "Accounts this account follows."),
    "posts_count": Term("Posts (total)", "All posts the platform says the account has."),
    "last_refreshed_at": Term("Last checked (UTC)", "When the account was last read."),
    "month": Term("Month", "The calendar month (its first day)."),
    "posts": Term("Posts", "Posts published in the month."),
    "avg_engagement_rate": Term(
        "Avg engagement",
        "Average share of followers who interacted with a post (likes, comments, shares, "
        "saves) over the month's posts. 3% means 3 interactions per 100 followers.",
    ),
    "median_engagement_rate": Term(
        "Median engagement",
        "The middle engagement rate of the month's posts: not pulled up by one viral post.",
    ),
    "tier_median_engagement_rate": Term(
        "Tier median engagement",
        "The typical average engagement of accounts of the same platform and size that month: "
        "the yardstick the account is compared with.",
    ),
    "engagement_index": Term(
        "Engagement index",
        "Average engagement divided by the tier median: 1.0 is typical for the tier, 2.0 twice "
        "the typical engagement, 0.5 half.",
    ),
    "percentile_in_tier": Term(
        "Percentile in tier",
        "Where the account stands among accounts of the same platform and size: 0% lowest, "
        "100% highest.",
    ),
    "followers_start": Term("Followers at start", "Followers at the month's first check."),
    "followers_end": Term("Followers at end", "Followers at the month's last check."),
    "net_new_followers": Term("Net new followers", "Followers at end minus followers at start."),
    "growth_rate": Term(
        "Growth", "Net new followers as a share of the followers at the start of the month."
    ),
    "growth_rate_30d": Term(
        "Growth (30 days)", "Change in followers over the last 30 days, as a share."
    ),
    "campaign_id": Term("Campaign ID", "The campaign's id in the CRM."),
    "campaign_name": Term("Campaign", "The campaign's name in the CRM."),
    "brand": Term("Brand", "The brand the campaign promotes."),
    "objective": Term("Objective", "Awareness, consideration or conversion."),
    "starts_on": Term("Starts", "First day of the campaign."),
    "ends_on": Term("Ends", "Last day of the campaign."),
    "contracts": Term("Contracts", "Contracts signed for the campaign."),
    "creators": Term("Creators", "Creators contracted for the campaign."),
    "spend_committed_usd": Term(
        "Spend committed (USD)", "What the contracts cost: fees plus product value."
    ),
    "spend_paid_usd": Term("Spend paid (USD)", "What has actually been paid so far."),
    "posts_delivered": Term("Posts delivered", "Posts published for the campaign's contracts."),
    "views": Term("Views", "Views of those posts, where the platform reports them."),
    "interactions": Term(
        "Interactions", "Likes + comments + shares + saves, as far as the platform shows them."
    ),
    "orders": Term(
        "Orders",
        "Shop orders that used the creator's promo code during the campaign or the 14 days "
        "after it (cancelled and refunded orders do not count).",
    ),
    "revenue_usd": Term("Revenue (USD)", "The value of those orders."),
    "emv_usd": Term(
        "EMV (USD, estimate)",
        "Earned media value: what the same views and interactions would have cost as "
        "advertising. An estimate from a rate card, not money received.",
    ),
    "cpm_usd": Term("Cost per 1,000 views", "Spend committed per thousand views."),
    "cpe_usd": Term("Cost per interaction", "Spend committed per interaction."),
    "cpa_usd": Term("Cost per order", "Spend committed per attributed order."),
    "roas": Term(
        "ROAS", "Revenue divided by spend: 2.0 means every dollar spent brought two back."
    ),
    "roi": Term(
        "ROI",
        "Return on investment: (revenue - spend) / spend. 0% is break-even, +50% means half "
        "the spend was earned on top, -100% means nothing came back.",
    ),
    "flag_id": Term("Flag ID", "A stable id for the flag."),
    "flag_type": Term("Flag", "What kind of review item this is (see the flags below)."),
    "severity": Term("Severity", "low, medium or high: how urgently it deserves a look."),
    "post_id": Term("Post ID", "The post concerned, when the flag is about one post."),
    "detected_on": Term("Detected on", "The day the condition was observed."),
    "metric_value": Term("Measured value", "The number that was compared with the threshold."),
    "threshold": Term("Threshold", "The limit in force when the flag was raised."),
    "evidence": Term("Evidence", "The numbers or words that triggered the flag."),
    "subject_kind": Term("About a", "What the flag is about: post, account, creator or payment."),
    "subject_id": Term("Subject ID", "The id of that post, account, creator or payment."),
    "is_open": Term("Open", "Detected within the last 30 days: still waiting for a review."),
    "partnership_days": Term("Partnership (days)", "Days since the partnership began."),
    "campaigns": Term("Campaigns", "Campaigns the creator has had a contract in."),
    "last_touchpoint_at": Term(
        "Last contact (UTC)", "The latest email, call or message either way."
    ),
    "days_since_touchpoint": Term("Days since contact", "Days since that last contact."),
    "response_rate": Term("Response rate", "Share of the team's messages the creator answered."),
    "on_time_delivery_rate": Term(
        "On-time delivery", "Share of contracted posts published by their due date."
    ),
    "on_time_payment_rate": Term(
        "On-time payment", "Share of payments to the creator made by their due date."
    ),
    "health_score": Term(
        "Health score",
        "0 to 100: how well the relationship is going, from recent contact, responsiveness, "
        "on-time delivery and on-time payment.",
    ),
    "health_band": Term(
        "Health", "healthy (70 or more), needs_attention (40 to 69) or at_risk (under 40)."
    ),
    "open_flags": Term("Open flags", "Quality flags about the creator still open for review."),
    "score": Term(
        "Score",
        "0 to 100: one overall score from engagement, growth, ROI, relationship health and "
        "open flags, weighted.",
    ),
    "rank": Term("Rank", "1 = the best score; creators with equal scores share a rank."),
    "engagement_rate": Term(
        "Engagement rate", "Interactions divided by the followers the account had at posting."
    ),
    "engagement_rate_views": Term(
        "Engagement per view", "Interactions divided by views (common for YouTube and TikTok)."
    ),
}

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
}


def metric(column: str) -> Term:
    """The term for a column; an unknown column gets a readable label and no meaning."""
    return METRICS.get(column) or Term(column.replace("_", " ").capitalize(), "")


def flag(flag_type: str) -> Term:
    return FLAGS.get(flag_type) or Term(flag_type.replace("_", " ").capitalize(), "")
