-- Audience sentiment per creator and month (SPEC 5.5): the comments under the creator's posts
-- by the comment's own month (UTC), shares over scored comments, net sentiment = positive share
-- - negative share, and the same net for comments under sponsored posts (tied to a campaign,
-- as fct_post.is_sponsored) and organic ones. The rules: int_creator_sentiment_months.

with

months as (select * from {{ ref('int_creator_sentiment_months') }}),

final as (

    select
        creator_id,
        month,
        comments_scored,
        net_sentiment,
        net_sentiment_sponsored,
        net_sentiment_organic,
        comments_fetched,
        positive_share,
        negative_share,
        comments_scored_sponsored,
        comments_scored_organic
    from months

)

select * from final
