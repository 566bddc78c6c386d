-- One row per post on every platform, with engagement and EMV (SPEC 5.1, 5.2).
-- campaign_id, is_sponsored and disclosure_status are placeholders (NULL, false,
-- 'not_sponsored') until campaigns and contracts are modelled.

with

posts as (

    select * from {{ ref('int_posts') }}

),

followers as (

    select * from {{ ref('int_post_followers_at_post') }}

),

creator_accounts as (

    select * from {{ ref('int_creator_accounts') }}

),

rate_card as (

    select * from {{ ref('emv_rate_card') }}

),

engagement as (

    select
        posts.post_id,
        posts.account_id,
        creator_accounts.creator_id,
        posts.platform,
        posts.platform_post_id,
        posts.published_at,
        posts.post_type,
        posts.title,
        posts.likes,
        posts.comments,
        posts.shares,
        posts.saves,
        posts.views,
        posts.metrics_snapshot_date,
        followers.followers_at_post,
        followers.followers_snapshot_date,
        rate_card.cpm_usd,
        rate_card.value_per_interaction_usd,
        -- the counts the platform returns; unknown when likes are hidden, so such a post
        -- drops out of engagement averages (a missing comment, share or save count adds 0)
        case
            when posts.likes is not null
                then
                    posts.likes
                    + coalesce(posts.comments, 0)
                    + coalesce(posts.shares, 0)
                    + coalesce(posts.saves, 0)
        end as interactions
    from posts
    left join followers
        on posts.post_id = followers.post_id
    left join creator_accounts
        on posts.account_id = creator_accounts.account_id
    left join rate_card
        on posts.platform = rate_card.platform

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
        post_id,
        account_id,
        creator_id,
        platform,
        published_at,
        post_type,
        likes,
        comments,
        shares,
        saves,
        views,
        interactions,
        followers_at_post,
        {{ safe_divide('interactions', 'followers_at_post') }} as engagement_rate,
        {{ safe_divide('interactions', 'views') }} as engagement_rate_views,
        cast(null as text) as campaign_id,
        false as is_sponsored,
        'not_sponsored' as disclosure_status,
        -- an estimate from the observed parts: views (where returned) and interactions
        case
            when views_value_usd is not null or interactions_value_usd is not null
                then coalesce(views_value_usd, 0) + coalesce(interactions_value_usd, 0)
        end as emv_usd,
        platform_post_id,
        title,
        followers_snapshot_date,
        metrics_snapshot_date
    from valued

)

select * from final
