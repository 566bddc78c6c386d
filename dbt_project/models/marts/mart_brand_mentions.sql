-- Who talks about the brand, its competitors and its niche (SPEC 5.5): per publication day
-- (UTC), platform and term, the posts that mention the term (int_post_mentions: the term's
-- listening found the post and its text holds the term as a whole word, with or without '#'
-- or '@'). A day, platform and term without a mention has no row.
--
-- mentions: distinct posts. authors: distinct accounts among them, roster_authors those on
-- the roster; NULL on Instagram (hashtag media name no author). interactions: the posts'
-- likes + comments + shares as last found (a post with hidden likes adds nothing).
-- net_sentiment: the tone of the mentions themselves: positive share - negative share of the
-- mentioning posts whose own text was scored (VADER after language detection,
-- int_listening_posts; a post in another language is unscored, never neutral); NULL when
-- none was scored; posts_scored says how many.

with

mentions as (select * from {{ ref('int_post_mentions') }}),

final as (

    select
        published_date as date,
        platform,
        term,
        term_kind,
        cast(count(distinct post_id) as integer) as mentions,
        cast(
            case when platform <> 'instagram' then count(distinct account_id) end as integer
        ) as authors,
        cast(
            case
                when platform <> 'instagram'
                    then count(distinct case when is_roster_author then account_id end)
            end as integer
        ) as roster_authors,
        cast(sum(interactions) as bigint) as interactions,
        cast(
            count(case when sentiment_label <> 'unscored' then 1 end) as integer
        ) as posts_scored,
        {{ net_sentiment(
            "count(case when sentiment_label = 'positive' then 1 end)",
            "count(case when sentiment_label = 'negative' then 1 end)",
            "count(case when sentiment_label <> 'unscored' then 1 end)"
        ) }} as net_sentiment
    from mentions
    group by published_date, platform, term, term_kind

)

select * from final
