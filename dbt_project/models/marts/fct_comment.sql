-- One row per listed top-level comment of a YouTube or TikTok post in fct_post, its latest
-- version, with its sentiment (SPEC 5.5; the rules in int_comments). A comment under a post
-- that is not in fct_post (its account never snapshotted) is left out, as the post is.
-- author_handle is personal data (a commenter's public name): the BI copy and the exports
-- leave it out.

with

comments as (

    select * from {{ ref('int_comments') }}
    where account_id is not null

),

final as (

    select
        comment_id,
        post_id,
        account_id,
        creator_id,
        platform,
        published_at,
        published_date,
        language,
        sentiment_score,
        sentiment_label,
        unscored_reason,
        cast(like_count as bigint) as like_count,
        cast(reply_count as bigint) as reply_count,
        is_sponsored_post,
        text,
        author_handle,
        platform_comment_id,
        first_listed_on,
        last_listed_on
    from comments

)

select * from final
