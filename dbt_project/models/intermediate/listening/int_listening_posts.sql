-- Every post the listening found (SPEC 3.4, 5.5), roster and non-roster alike, one row per
-- post in one shape for the three platforms, as last seen: its author's account id (NULL on
-- Instagram: hashtag media carry no author), publication time and UTC date, the text the
-- mention rule reads and its counts.
--
-- The text: a YouTube video's title and full description from videos.list
-- (stg_youtube__found_videos; the search snippet is HTML-escaped and cut at 160
-- characters), a TikTok video's description, an Instagram caption. `match_text` is it
-- normalised for whole-word matching (macros/text/text_tokens.sql).
--
-- sentiment: the post's own text as the scoring step scored it (warehouse/comment_scores.py,
-- raw.mention_scores: VADER after language detection, once per post), labelled with the
-- comments' thresholds (vars); `unscored` when it could not be scored or is not scored yet.
--
-- interactions: likes + comments + shares, as int_post_engagement counts them; unknown when
-- likes are hidden. The counts are those of the last find: a post found on its publication
-- day has not settled yet, so engagement compares found posts with found posts
-- (mart_discovery_candidates), never with the roster's settled posts.

with

youtube as (

    select
        'youtube' as platform,
        'youtube:' || video_id as post_id,
        'youtube:' || channel_id as account_id,
        published_at,
        coalesce(title, '') || ' ' || coalesce(description, '') as post_text,
        like_count as likes,
        comment_count as comments,
        cast(null as bigint) as shares,
        view_count as views,
        snapshot_date,
        extracted_at
    from {{ ref('stg_youtube__found_videos') }}

),

tiktok as (

    select
        'tiktok' as platform,
        'tiktok:' || video_id as post_id,
        'tiktok:' || {{ normalize_handle('username') }} as account_id,
        published_at,
        coalesce(video_description, '') as post_text,
        like_count as likes,
        comment_count as comments,
        share_count as shares,
        view_count as views,
        snapshot_date,
        extracted_at
    from {{ ref('stg_tiktok__query_videos') }}

),

instagram as (

    select
        'instagram' as platform,
        'instagram:' || media_id as post_id,
        cast(null as text) as account_id,
        published_at,
        coalesce(caption, '') as post_text,
        like_count as likes,
        comments_count as comments,
        cast(null as bigint) as shares,
        cast(null as bigint) as views,
        snapshot_date,
        extracted_at
    from {{ ref('stg_instagram__hashtag_media') }}

),

unioned as (

    {{ union_all(['youtube', 'tiktok', 'instagram']) }}

),

last_seen as (

    {{ latest_record('unioned', ['post_id'], order_by='snapshot_date desc, extracted_at desc') }}

),

scores as (select * from {{ ref('stg_sentiment__mention_scores') }}),

final as (

    select
        last_seen.platform,
        last_seen.post_id,
        last_seen.account_id,
        last_seen.published_at,
        {{ utc_date('last_seen.published_at') }} as published_date,
        last_seen.post_text,
        {{ normalize_text('last_seen.post_text') }} as match_text,
        last_seen.likes,
        last_seen.comments,
        last_seen.shares,
        last_seen.views,
        {{ interactions('last_seen.likes', ['last_seen.comments', 'last_seen.shares']) }}
            as interactions,
        scores.compound as sentiment_score,
        {{ sentiment_label('scores.compound') }} as sentiment_label,
        last_seen.snapshot_date as last_found_on
    from last_seen
    left join scores using (post_id)

)

select * from final
