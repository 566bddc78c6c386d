-- Each flag type is about one kind of subject (SPEC 5.3), and a negative_sentiment_shift names
-- its creator: the flags that break this. These were per-flag tests on the ten ephemeral
-- int_flags__* models, each of which recomputed its flag over all of history again (55 tests,
-- 3.6 s of a 14 s daily test run at small; issue 21); the mart's own tests (flag_id unique
-- over flag type, subject and day; accepted flag types, severities and subject kinds; not-null
-- constraints of its contract) cover the rest of what they checked, on one scan of the mart.

select
    flag_id,
    flag_type,
    subject_kind,
    creator_id
from {{ ref('mart_quality_flags') }}
where
    flag_type || ':' || subject_kind not in (
        'follower_spike:account',
        'follower_drop:account',
        'low_engagement:account',
        'engagement_anomaly:post',
        'undisclosed_sponsorship:post',
        'weak_disclosure:post',
        'brand_safety:post',
        'competitor_mention:post',
        'inactive_partner:creator',
        'late_payment:payment',
        'negative_sentiment_shift:creator'
    )
    or (flag_type = 'negative_sentiment_shift' and creator_id is null)
