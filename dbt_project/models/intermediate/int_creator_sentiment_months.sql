-- Audience sentiment per creator and calendar month of the comment (UTC), over the comments
-- under the creator's posts (SPEC 5.5): shares are over scored comments (unscored ones are
-- left out, never counted as neutral); net = positive share - negative share; sponsored and
-- organic split by the post's campaign tie (tied to a contract, as fct_post.is_sponsored).
-- NULL shares when no comment of the group was scored. Read by mart_creator_sentiment and the
-- negative_sentiment_shift flag.

with

comments as (

    select
        creator_id,
        {{ month_start('published_date') }} as month,
        sentiment_label,
        is_sponsored_post
    from {{ ref('int_comments') }}
    where creator_id is not null

),

counted as (

    select
        creator_id,
        month,
        count(*) as comments_fetched,
        {{ sentiment_counts() }},
        {{ sentiment_counts('is_sponsored_post', '_sponsored') }},
        {{ sentiment_counts('not is_sponsored_post', '_organic') }}
    from comments
    group by creator_id, month

),

final as (

    select
        creator_id,
        month,
        comments_fetched,
        comments_scored,
        {{ sentiment_shares() }},
        comments_scored_sponsored,
        {{ net_sentiment(
            'comments_positive_sponsored', 'comments_negative_sponsored', 'comments_scored_sponsored'
        ) }} as net_sentiment_sponsored,
        comments_scored_organic,
        {{ net_sentiment(
            'comments_positive_organic', 'comments_negative_organic', 'comments_scored_organic'
        ) }} as net_sentiment_organic
    from counted

)

select * from final
