-- low_engagement (SPEC 5.3): on the as-of date, an account whose mean post engagement rate
-- over the trailing `low_engagement_trailing_days` (30, the as-of day included) is below
-- `low_engagement_ratio` (0.25) x the median of the same measure over the accounts of its
-- platform and current tier, counting only accounts with at least `low_engagement_min_posts`
-- (3) posts with a known rate. metric_value = the account's rate / tier median; severity
-- high below half the threshold.

with

as_of as (select as_of_date from {{ ref('int_as_of_date') }}),

accounts as (select * from {{ ref('int_accounts_current') }}),

recent as (

    select
        posts.account_id,
        count(*) as posts,
        avg(cast(posts.engagement_rate as numeric(38, 18))) as avg_engagement_rate
    from {{ ref('int_post_engagement') }} as posts
    cross join as_of
    where
        posts.engagement_rate is not null
        and posts.published_date
        between {{ add_days('as_of.as_of_date', '1 - ' ~ var('low_engagement_trailing_days')) }}
        and as_of.as_of_date
    group by posts.account_id

),

measured as (

    select
        recent.*,
        accounts.platform,
        accounts.tier
    from recent
    inner join accounts using (account_id)
    where
        recent.posts >= {{ var('low_engagement_min_posts') }}
        and accounts.tier is not null

),

tier_medians as (

    select
        platform,
        tier,
        count(*) as tier_accounts,
        {{ median('avg_engagement_rate') }} as tier_median_engagement_rate
    from measured
    group by platform, tier

),

indexed as (

    select
        measured.*,
        tier_medians.tier_accounts,
        tier_medians.tier_median_engagement_rate,
        {{ safe_divide(
            'measured.avg_engagement_rate', 'tier_medians.tier_median_engagement_rate'
        ) }} as engagement_index
    from measured
    inner join tier_medians using (platform, tier)

),

final as (

    select
        {{ flag_type_and_severity(
            'low_engagement', 'indexed.engagement_index < ' ~ var('low_engagement_ratio') ~ ' / 2'
        ) }}
        {{ flag_subject('account', 'indexed', detected_on='as_of.as_of_date') }}
        {{ flag_measures('indexed.engagement_index', var('low_engagement_ratio'), [
            ('posts', 'indexed.posts'),
            ('avg_engagement_rate', 'indexed.avg_engagement_rate'),
            ('tier', 'indexed.tier'),
            ('tier_accounts', 'indexed.tier_accounts'),
            ('tier_median_engagement_rate', 'indexed.tier_median_engagement_rate'),
            ('window_days', var('low_engagement_trailing_days')),
        ]) }}
    from indexed
    cross join as_of
    left join {{ ref('int_creator_accounts') }} as creator_accounts using (account_id)
    where indexed.engagement_index < {{ var('low_engagement_ratio') }}

)

select * from final
