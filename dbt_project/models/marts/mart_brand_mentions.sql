-- Who talks about the brand, its competitors and its niche (SPEC 5.5): per publication day
-- (UTC), platform and term, the posts that mention the term (int_post_mentions: the term's
-- listening found the post and its text holds the term as a whole word, with or without '#'
-- or '@'). A day, platform and term without a mention has no row.
--
-- mentions: distinct posts. authors: distinct accounts among them, roster_authors those on
-- the roster; NULL on Instagram (hashtag media name no author). interactions: the posts'
-- likes + comments + shares as last found (a post with hidden likes adds nothing).
-- net_sentiment: positive share - negative share over the scored comments fetched under
-- the mentioning posts (fct_comment: the roster's YouTube and TikTok posts only, as comments
-- are fetched for the roster; NULL when none is scored); comments_scored says how many.

with

mentions as (select * from {{ ref('int_post_mentions') }}),
comments as (select * from {{ ref('fct_comment') }}),

per_term as (

    select
        published_date as date,
        platform,
        term,
        term_kind,
        count(distinct post_id) as mentions,
        case
            when platform <> 'instagram' then count(distinct account_id)
        end as authors,
        case
            when platform <> 'instagram'
                then count(distinct case when is_roster_author then account_id end)
        end as roster_authors,
        sum(interactions) as interactions
    from mentions
    group by published_date, platform, term, term_kind

),

sentiment as (

    select
        mentions.published_date as date,
        mentions.platform,
        mentions.term,
        {{ sentiment_counts() }}
    from mentions
    inner join comments using (post_id)
    group by mentions.published_date, mentions.platform, mentions.term

),

final as (

    select
        per_term.date,
        per_term.platform,
        per_term.term,
        per_term.term_kind,
        cast(per_term.mentions as integer) as mentions,
        cast(per_term.authors as integer) as authors,
        cast(per_term.roster_authors as integer) as roster_authors,
        cast(per_term.interactions as bigint) as interactions,
        cast(coalesce(sentiment.comments_scored, 0) as integer) as comments_scored,
        {{ net_sentiment(
            'sentiment.comments_positive', 'sentiment.comments_negative', 'sentiment.comments_scored'
        ) }} as net_sentiment
    from per_term
    left join sentiment
        on
            per_term.date = sentiment.date
            and per_term.platform = sentiment.platform
            and per_term.term = sentiment.term

)

select * from final
