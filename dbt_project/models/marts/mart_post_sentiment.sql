-- Audience sentiment per post of fct_post (SPEC 5.5): the comments fetched under it, the share
-- of positive and negative ones among those scored, and net sentiment = positive share -
-- negative share (NULL when none was scored). sample_complete: the post's latest fetch listed
-- every comment it had (no cap reached, no quota stop). sample_status says why a post has no
-- comments: comments_disabled, not_found (gone when asked), not_fetched (a YouTube or TikTok
-- post never asked: published before the refresh window, or a quota stop) or not_sampled
-- (Instagram: business_discovery gives no route to other accounts' comments).

with

posts as (select * from {{ ref('fct_post') }}),
fetches as (select * from {{ ref('int_comment_fetches') }}),

counted as (

    select
        post_id,
        count(*) as comments_fetched,
        {{ sentiment_counts() }}
    from {{ ref('fct_comment') }}
    group by post_id

),

final as (

    select
        posts.post_id,
        posts.account_id,
        posts.creator_id,
        posts.platform,
        posts.published_date,
        posts.is_sponsored,
        case
            when posts.platform = 'instagram' then 'not_sampled'
            when fetches.post_id is null then 'not_fetched'
            else fetches.fetch_status
        end as sample_status,
        posts.comments as comments_reported,
        coalesce(counted.comments_fetched, 0) as comments_fetched,
        coalesce(counted.comments_scored, 0) as comments_scored,
        coalesce(counted.comments_positive, 0) as comments_positive,
        coalesce(counted.comments_negative, 0) as comments_negative,
        {{ sentiment_shares() }},
        coalesce(fetches.is_complete, false) as sample_complete,
        cast(fetches.comments_listed as integer) as comments_listed_last_fetch,
        fetches.fetched_on as last_fetched_on
    from posts
    left join fetches using (post_id)
    left join counted using (post_id)

)

select * from final
