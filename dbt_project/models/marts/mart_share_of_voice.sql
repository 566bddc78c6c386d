-- Share of voice (SPEC 5.5): per ISO week (starting Monday) and platform, the posts that
-- mention the brand (a brand, product or campaign term) and those that mention a competitor
-- (a term of the competitors seed), each post counted once per side; niche terms count on
-- neither side. share_of_voice = brand mentions / (brand + competitor mentions); a week and
-- platform with neither has no row. A post naming the brand and a competitor counts on both
-- sides. brand_net_sentiment: the tone of the brand's mentions: positive share - negative
-- share of the brand-mentioning posts whose own text was scored (int_listening_posts); NULL
-- when none was.

with

mentions as (select * from {{ ref('int_post_mentions') }}),

posts as (

    select
        cast(date_trunc('week', published_date) as date) as week,
        platform,
        post_id,
        sentiment_label,
        max(case when is_brand_term then 1 else 0 end) = 1 as mentions_brand,
        max(case when term_kind = 'competitor' then 1 else 0 end) = 1 as mentions_competitor
    from mentions
    group by
        cast(date_trunc('week', published_date) as date), platform, post_id, sentiment_label

),

weekly as (

    select
        week,
        platform,
        count(case when mentions_brand then 1 end) as brand_mentions,
        count(case when mentions_competitor then 1 end) as competitor_mentions,
        count(
            case when mentions_brand and sentiment_label <> 'unscored' then 1 end
        ) as brand_posts_scored,
        count(
            case when mentions_brand and sentiment_label = 'positive' then 1 end
        ) as brand_posts_positive,
        count(
            case when mentions_brand and sentiment_label = 'negative' then 1 end
        ) as brand_posts_negative
    from posts
    group by week, platform

),

final as (

    select
        week,
        platform,
        cast(brand_mentions as integer) as brand_mentions,
        cast(competitor_mentions as integer) as competitor_mentions,
        {{ safe_divide('brand_mentions', 'brand_mentions + competitor_mentions') }}
            as share_of_voice,
        cast(brand_posts_scored as integer) as brand_posts_scored,
        {{ net_sentiment('brand_posts_positive', 'brand_posts_negative', 'brand_posts_scored') }}
            as brand_net_sentiment
    from weekly
    where brand_mentions + competitor_mentions > 0

)

select * from final
