-- Per post: interactions, followers at publication, both engagement rates and EMV (SPEC 5.2).
-- fct_post adds the creator, the campaign tie and the disclosure status.

with

posts as (select * from {{ ref('int_posts') }}),
followers as (select * from {{ ref('int_post_followers_at_post') }}),
rate_card as (select * from {{ ref('emv_rate_card') }}),

reporting_rate as (

    -- the rate card is in USD; money is reported in var('reporting_currency')
    select rate_to_reporting
    from {{ ref('int_currency_rates') }}
    where currency = 'USD'

),

engagement as (

    select
        posts.post_id,
        posts.account_id,
        posts.platform,
        posts.published_at,
        posts.published_date,
        posts.likes,
        posts.comments,
        posts.shares,
        posts.saves,
        posts.views,
        followers.followers_at_post,
        followers.followers_snapshot_date,
        rate_card.cpm_usd,
        rate_card.value_per_interaction_usd,
        -- unknown when likes are hidden (macros/interactions.sql)
        {{ interactions('posts.likes', ['posts.comments', 'posts.shares', 'posts.saves']) }}
            as interactions
    from posts
    left join followers using (post_id)
    left join rate_card using (platform)

),

valued as (

    select
        engagement.*,
        cast(engagement.views as double precision) / 1000 * engagement.cpm_usd as views_value_usd,
        engagement.interactions * engagement.value_per_interaction_usd as interactions_value_usd
    from engagement

),

final as (

    select
        valued.post_id,
        valued.account_id,
        valued.platform,
        valued.published_at,
        valued.published_date,
        valued.likes,
        valued.comments,
        valued.shares,
        valued.saves,
        valued.views,
        valued.interactions,
        valued.followers_at_post,
        valued.followers_snapshot_date,
        {{ safe_divide('valued.interactions', 'valued.followers_at_post') }} as engagement_rate,
        {{ safe_divide('valued.interactions', 'valued.views') }} as engagement_rate_views,
        -- an estimate from the observed parts: views (where returned) and interactions
        case
            when valued.views_value_usd is not null or valued.interactions_value_usd is not null
                then
                    (
                        coalesce(valued.views_value_usd, 0)
                        + coalesce(valued.interactions_value_usd, 0)
                    )
                    * cast(reporting_rate.rate_to_reporting as double precision)
        end as emv_usd
    from valued
    cross join reporting_rate

)

select * from final
