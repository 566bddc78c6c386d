-- Share of voice (SPEC 5.5): per ISO week (starting Monday) and platform, the posts that
-- mention the brand (a brand, product or campaign term) and those that mention a competitor
-- (a term of the competitors seed), each post counted once per side; niche terms count on
-- neither side. share_of_voice = brand mentions / (brand + competitor mentions); a week and
-- platform with neither has no row. A post naming the brand and a competitor counts on both sides.
-- brand_net_sentiment: net sentiment (positive share - negative share) over the scored
-- comments fetched under the brand-mentioning posts (the roster's YouTube and TikTok posts;
-- NULL when none is scored).

with

mentions as (select * from {{ ref('int_post_mentions') }}),
comments as (select * from {{ ref('fct_comment') }}),

posts as (

    select
        cast(date_trunc('week', published_date) as date) as week,
        platform,
        post_id,
        max(case when is_brand_term then 1 else 0 end) = 1 as mentions_brand,
        max(case when term_kind = 'competitor' then 1 else 0 end) = 1 as mentions_competitor
    from mentions
    group by cast(date_trunc('week', published_date) as date), platform, post_id

),

weekly as (

    select
        week,
        platform,
        count(case when mentions_brand then 1 end) as brand_mentions,
        count(case when mentions_competitor then 1 end) as competitor_mentions
    from posts
    group by week, platform

),

brand_sentiment as (

    select
        posts.week,
        posts.platform,
        {{ sentiment_counts() }}
    from posts
    inner join comments using (post_id)
    where posts.mentions_brand
    group by posts.week, posts.platform

),

final as (

    select
        weekly.week,
        weekly.platform,
        cast(weekly.brand_mentions as integer) as brand_mentions,
        cast(weekly.competitor_mentions as integer) as competitor_mentions,
        {{ safe_divide(
            'weekly.brand_mentions', 'weekly.brand_mentions + weekly.competitor_mentions'
        ) }} as share_of_voice,
        cast(coalesce(brand_sentiment.comments_scored, 0) as integer) as brand_comments_scored,
        {{ net_sentiment(
            'brand_sentiment.comments_positive',
            'brand_sentiment.comments_negative',
            'brand_sentiment.comments_scored'
        ) }} as brand_net_sentiment
    from weekly
    left join brand_sentiment using (week, platform)
    where weekly.brand_mentions + weekly.competitor_mentions > 0

)

select * from final
