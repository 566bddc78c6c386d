-- One row per post on every platform, with engagement, EMV, the campaign tie and the
-- disclosure status (SPEC 5.1, 5.2, 5.3). Posts whose account could not be resolved (an
-- Instagram username never snapshotted) are left out; int_posts keeps them.

with

posts as (

    select * from {{ ref('int_posts') }}
    where account_id is not null

),

texts as (select * from {{ ref('int_post_texts') }}),
engagement as (select * from {{ ref('int_post_engagement') }}),
owners as (select * from {{ ref('int_post_owners') }}),
disclosures as (select * from {{ ref('int_post_disclosures') }}),

final as (

    select
        posts.post_id,
        posts.account_id,
        owners.creator_id,
        posts.platform,
        posts.published_at,
        posts.post_type,
        posts.likes,
        posts.comments,
        posts.shares,
        posts.saves,
        posts.views,
        engagement.interactions,
        engagement.followers_at_post,
        engagement.engagement_rate,
        engagement.engagement_rate_views,
        owners.campaign_id,
        coalesce(disclosures.is_sponsored, false) as is_sponsored,
        coalesce(disclosures.disclosure_status, 'not_sponsored') as disclosure_status,
        {{ cents('engagement.emv_usd') }} as emv_usd,
        owners.contract_id,
        posts.platform_post_id,
        texts.title,
        texts.caption,
        texts.permalink,
        posts.published_date,
        engagement.followers_snapshot_date,
        posts.metrics_snapshot_date
    from posts
    inner join engagement using (post_id)
    left join owners using (post_id)
    left join disclosures using (post_id)
    left join texts using (post_id)

)

select * from final
