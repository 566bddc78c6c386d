-- Every listed top-level comment of a YouTube or TikTok post, once (the latest version of it:
-- likes and replies grow), with its sentiment and the post it belongs to (SPEC 5.5). Instagram
-- has none: business_discovery gives no route to other accounts' comments.
-- sentiment_label comes from the stored compound score and the vars
-- sentiment_positive_threshold (0.05) and sentiment_negative_threshold (-0.05), both
-- inclusive: positive, negative, neutral in between, or `unscored` when the scorer could not
-- score the comment (never neutral; unscored_reason says why, `not_scored_yet` when the scoring
-- step has not seen it). The post's account, creator and campaign tie come from
-- int_post_owners (sponsored = tied to a contract, as fct_post.is_sponsored; NULL account: the
-- post is not in fct_post).

{%- set platforms = ['youtube', 'tiktok'] %}

with

scores as (select * from {{ ref('stg_sentiment__comment_scores') }}),
owners as (select * from {{ ref('int_post_owners') }}),

unioned as (

    {% for platform in platforms %}
    select
        '{{ platform }}:' || comment_id as comment_id,
        '{{ platform }}:' || video_id as post_id,
        '{{ platform }}' as platform,
        comment_id as platform_comment_id,
        video_id as platform_post_id,
        author_handle,
        text,
        like_count,
        reply_count,
        published_at,
        snapshot_date,
        extracted_at
    from {{ ref('stg_' ~ platform ~ '__comments') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

latest as (

    {{ latest_record('unioned', ['comment_id'], 'snapshot_date desc, extracted_at desc') }}

),

firsts as (

    select
        comment_id,
        min(snapshot_date) as first_listed_on
    from unioned
    group by comment_id

),

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
        firsts.first_listed_on,
        latest.snapshot_date as last_listed_on
    from latest
    inner join firsts using (comment_id)
    left join scores using (comment_id)
    left join owners using (post_id)

)

select * from final
