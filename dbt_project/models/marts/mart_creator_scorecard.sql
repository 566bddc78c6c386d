-- One scorecard row per creator (SPEC 5.1), on the as-of date:
--   tier              dim_creator (the largest account's tier)
--   engagement_index  mean over the creator's accounts of the engagement_index of each
--                     account's latest month that has one (mart_creator_engagement)
--   growth_rate_30d   (followers now - followers 30 days ago) / followers 30 days ago, summed
--                     over the creator's accounts with a known count on both days
--   roi               (revenue - spend committed) / spend committed over all the creator's
--                     contracts (mart_campaign_creator_roi)
--   open_flags        open flags about the creator or their accounts, posts and payments
--   health_score      mart_relationship_health
--   audience_net_sentiment  net sentiment (positive share - negative share, SPEC 5.5) of the
--                     scored comments published on the creator's posts in the
--                     scorecard_sentiment_days (30) days up to the as-of date, with their
--                     number in audience_comments_scored; shown, not part of the score
--   months_since_first_partnership, campaigns_done, repeat_campaign_rate,
--   first_campaign_roi, later_campaigns_roi   the creator's longevity, computed once in
--                     mart_relationship_health (defined there and in dbt_project/README.md,
--                     "Longevity"); shown, not part of the score
-- score (0-100) = 100 x the weighted mean of the component scores that are known (weights
-- renormalised over them), each in 0..1:
--   engagement  min(engagement_index / scorecard_engagement_index_cap (2), 1): the tier
--               median scores 0.5                    weight scorecard_weight_engagement (0.30)
--   growth      growth_rate_30d mapped linearly from scorecard_growth_floor (-5%) -> 0 to
--               scorecard_growth_cap (+5%) -> 1, clamped    weight scorecard_weight_growth (0.15)
--   roi         roi mapped from scorecard_roi_floor (-100%) -> 0 to scorecard_roi_cap
--               (+100%) -> 1, clamped                        weight scorecard_weight_roi (0.25)
--   health      health_score / 100                           weight scorecard_weight_health (0.20)
--   flags       1 / (1 + open_flags)                         weight scorecard_weight_flags (0.10)
-- score is NULL when neither engagement_index nor growth_rate_30d is known (nothing to score
-- the creator's performance on); rank: 1 = the best score, ties share a rank, NULL without a
-- score.

{%- set growth_floor = var('scorecard_growth_floor') %}
{%- set growth_cap = var('scorecard_growth_cap') %}
{%- set roi_floor = var('scorecard_roi_floor') %}
{%- set roi_cap = var('scorecard_roi_cap') %}

with

as_of as (select as_of_date from {{ ref('int_as_of_date') }}),

creators as (select * from {{ ref('dim_creator') }}),
creator_accounts as (select * from {{ ref('int_creator_accounts') }}),

latest_engagement as (

    select
        engagement.account_id,
        engagement.engagement_index,
        row_number() over (
            partition by engagement.account_id
            order by engagement.month desc
        ) as month_rank
    from {{ ref('mart_creator_engagement') }} as engagement
    cross join as_of
    where
        engagement.engagement_index is not null
        and engagement.month <= as_of.as_of_date

),

engagement as (

    select
        creator_accounts.creator_id,
        avg(cast(latest_engagement.engagement_index as numeric(38, 18))) as engagement_index
    from latest_engagement
    inner join creator_accounts using (account_id)
    where latest_engagement.month_rank = 1
    group by creator_accounts.creator_id

),

growth as (

    select
        creator_accounts.creator_id,
        {{ safe_divide(
            'sum(today.followers) - sum(month_ago.followers)', 'sum(month_ago.followers)'
        ) }} as growth_rate_30d
    from creator_accounts
    cross join as_of
    inner join {{ ref('int_account_snapshots') }} as today
        on
            creator_accounts.account_id = today.account_id
            and as_of.as_of_date = today.snapshot_date
    inner join {{ ref('int_account_snapshots') }} as month_ago
        on
            creator_accounts.account_id = month_ago.account_id
            and {{ add_days('as_of.as_of_date', -30) }} = month_ago.snapshot_date
    where today.followers is not null and month_ago.followers is not null
    group by creator_accounts.creator_id

),

returns as (

    select
        creator_id,
        {{ safe_divide(
            'sum(revenue_usd) - sum(spend_committed_usd)', 'sum(spend_committed_usd)'
        ) }} as roi
    from {{ ref('mart_campaign_creator_roi') }}
    group by creator_id

),

audience as (

    select
        comments.creator_id,
        {{ sentiment_counts() }}
    from {{ ref('fct_comment') }} as comments
    cross join as_of
    where
        comments.creator_id is not null
        and {{ utc_date('comments.published_at') }}
        between {{ add_days('as_of.as_of_date', '1 - ' ~ var('scorecard_sentiment_days')) }}
        and as_of.as_of_date
    group by comments.creator_id

),

flags as (

    select
        creator_id,
        count(*) as open_flags
    from {{ ref('mart_quality_flags') }}
    where is_open and creator_id is not null
    group by creator_id

),

measured as (

    select
        creators.creator_id,
        creators.tier,
        cast(engagement.engagement_index as double precision) as engagement_index,
        cast(growth.growth_rate_30d as double precision) as growth_rate_30d,
        cast(returns.roi as double precision) as roi,
        coalesce(flags.open_flags, 0) as open_flags,
        health.health_score,
        health.months_since_first_partnership,
        coalesce(health.campaigns_done, 0) as campaigns_done,
        health.repeat_campaign_rate,
        health.first_campaign_roi,
        health.later_campaigns_roi,
        coalesce(audience.comments_scored, 0) as audience_comments_scored,
        {{ net_sentiment('audience.comments_positive', 'audience.comments_negative',
            'audience.comments_scored') }} as audience_net_sentiment
    from creators
    left join engagement using (creator_id)
    left join growth using (creator_id)
    left join returns using (creator_id)
    left join flags using (creator_id)
    left join audience using (creator_id)
    left join {{ ref('mart_relationship_health') }} as health using (creator_id)

),

positions as (

    -- each measure placed on its 0..1 scale (unclamped; NULL stays NULL)
    select
        measured.*,
        measured.engagement_index / {{ var('scorecard_engagement_index_cap') }}
            as engagement_position,
        (measured.growth_rate_30d - ({{ growth_floor }}))
        / ({{ growth_cap }} - ({{ growth_floor }})) as growth_position,
        (measured.roi - ({{ roi_floor }})) / ({{ roi_cap }} - ({{ roi_floor }})) as roi_position
    from measured

),

components as (

    select
        positions.*,
        case
            when positions.engagement_position > 1 then 1.0
            else positions.engagement_position
        end as engagement_score,
        case
            when positions.growth_position < 0 then 0.0
            when positions.growth_position > 1 then 1.0
            else positions.growth_position
        end as growth_score,
        case
            when positions.roi_position < 0 then 0.0
            when positions.roi_position > 1 then 1.0
            else positions.roi_position
        end as roi_score,
        positions.health_score / 100.0 as health_component,
        1.0 / (1 + positions.open_flags) as flags_score
    from positions

),

scored as (

    select
        components.*,
        100 * {{ weighted_mean([
            ('components.engagement_score', var('scorecard_weight_engagement')),
            ('components.growth_score', var('scorecard_weight_growth')),
            ('components.roi_score', var('scorecard_weight_roi')),
            ('components.health_component', var('scorecard_weight_health')),
            ('components.flags_score', var('scorecard_weight_flags')),
        ]) }} as weighted_score
    from components

),

gated as (

    select
        scored.*,
        case
            when scored.engagement_index is not null or scored.growth_rate_30d is not null
                then scored.weighted_score
        end as score
    from scored

),

ranked as (

    select
        creator_id,
        rank() over (order by score desc) as score_rank
    from gated
    where score is not null

),

final as (

    select
        scored.creator_id,
        scored.tier,
        scored.engagement_index,
        scored.growth_rate_30d,
        scored.roi,
        scored.open_flags,
        scored.health_score,
        cast(scored.score as double precision) as score,
        ranked.score_rank as rank,
        cast(scored.engagement_score as double precision) as engagement_score,
        cast(scored.growth_score as double precision) as growth_score,
        cast(scored.roi_score as double precision) as roi_score,
        cast(scored.flags_score as double precision) as flags_score,
        cast(scored.audience_net_sentiment as double precision) as audience_net_sentiment,
        scored.audience_comments_scored,
        scored.months_since_first_partnership,
        scored.campaigns_done,
        scored.repeat_campaign_rate,
        scored.first_campaign_roi,
        scored.later_campaigns_roi
    from gated as scored
    left join ranked using (creator_id)

)

select * from final
