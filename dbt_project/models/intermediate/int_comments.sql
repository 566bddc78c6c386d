-- Every listed top-level comment of a YouTube or TikTok post, once (the latest version of it:
-- likes and replies grow), with its sentiment and the post it belongs to (SPEC 5.5). Instagram
-- has none: business_discovery gives no route to other accounts' comments.
-- sentiment_label comes from the stored compound score and the vars
-- sentiment_positive_threshold (0.05) and sentiment_negative_threshold (-0.05), both
-- inclusive: positive, negative, neutral in between, or `unscored` when the scorer could not
-- score the comment (never neutral; unscored_reason says why, `not_scored_yet` when the scoring
-- step has not seen it). The post's account, creator and campaign tie come from
-- int_post_owners (sponsored = tied to a contract, as fct_post.is_sponsored; NULL account: the
-- post is not in fct_post). Each comment's latest version and first listing come from
-- int_comment_latest_versions (incremental); this table re-joins the scores and the owners,
-- which change without a new version (a comment scored later, a post tied to a new contract).

with

latest as (select * from {{ ref('int_comment_latest_versions') }}),
scores as (select * from {{ ref('stg_sentiment__comment_scores') }}),
owners as (select * from {{ ref('int_post_owners') }}),

final as (

    select
        latest.comment_id,
        latest.post_id,
        owners.account_id,
        owners.creator_id,
        latest.platform,
        latest.published_at,
        {{ utc_date('latest.published_at') }} as published_date,
        scores.language,
        scores.compound as sentiment_score,
        {{ sentiment_label('scores.compound') }} as sentiment_label,
        case
            when scores.comment_id is null then 'not_scored_yet'
            else scores.unscored_reason
        end as unscored_reason,
        latest.like_count,
        latest.reply_count,
        coalesce(owners.is_sponsored, false) as is_sponsored_post,
        latest.text,
        latest.author_handle,
        latest.platform_comment_id,
        latest.platform_post_id,
        latest.first_listed_on,
        latest.snapshot_date as last_listed_on
    from latest
    left join scores using (comment_id)
    left join owners using (post_id)

)

select * from final
