-- Every quality flag (SPEC 5.3), one row per flag instance, with the evidence that triggered
-- it as JSON text. Each rule lives in its own model (models/intermediate/flags/), documented
-- there. Flags are review items for a person, not verdicts.
--   subject_kind / subject_id  what the flag is about, in the warehouse's ids: post -> post_id,
--                              account -> account_id, creator -> creator_id, payment -> payment_id
--   flag_id                    md5 of flag_type, subject_kind, subject_id and detected_on:
--                              stable across rebuilds
--   is_open                    detected within the last `flag_open_days` (30) days of the
--                              as-of date (state flags are detected on the as-of date itself)

{%- set flag_models = [
    'int_flags__follower_spike',
    'int_flags__follower_drop',
    'int_flags__low_engagement',
    'int_flags__engagement_anomaly',
    'int_flags__undisclosed_sponsorship',
    'int_flags__weak_disclosure',
    'int_flags__brand_safety',
    'int_flags__competitor_mention',
    'int_flags__inactive_partner',
    'int_flags__late_payment',
    'int_flags__negative_sentiment_shift',
] %}

with

as_of as (select as_of_date from {{ ref('int_as_of_date') }}),

unioned as (

    {% for flag_model in flag_models %}
    select
        flag_type,
        severity,
        subject_kind,
        subject_id,
        creator_id,
        account_id,
        post_id,
        detected_on,
        metric_value,
        threshold,
        evidence
    from {{ ref(flag_model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        {{ hash_key([
            'unioned.flag_type', 'unioned.subject_kind', 'unioned.subject_id', 'unioned.detected_on'
        ]) }} as flag_id,
        unioned.flag_type,
        unioned.severity,
        unioned.creator_id,
        unioned.account_id,
        unioned.post_id,
        unioned.detected_on,
        unioned.metric_value,
        unioned.threshold,
        unioned.evidence,
        unioned.subject_kind,
        unioned.subject_id,
        unioned.detected_on
        >= {{ add_days('as_of.as_of_date', '-' ~ var('flag_open_days')) }} as is_open
    from unioned
    cross join as_of

)

select * from final
