-- Posts of every platform in one shape, with their latest metrics.
-- Counts a platform does not return are NULL (YouTube returns no shares or saves).

with

youtube as (

    select
        'youtube:' || video_id as post_id,
        'youtube:' || channel_id as account_id,
        'youtube' as platform,
        video_id as platform_post_id,
        published_at,
        'video' as post_type,
        title,
        description as caption,
        like_count as likes,
        comment_count as comments,
        cast(null as bigint) as shares,
        cast(null as bigint) as saves,
        view_count as views,
        snapshot_date as metrics_snapshot_date,
        extracted_at as metrics_extracted_at
    from {{ ref('int_youtube__latest_video_metrics') }}

),

unioned as (

    select * from youtube

)

select * from unioned
