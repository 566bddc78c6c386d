{#-
    stg_youtube_videos('videos'): the whole staging model of a table of `videos.list`
    resources, the same for the roster's videos (`raw.youtube_videos`), every video the day's
    search results found (`raw.youtube_found_videos`) and the last 30 days of uploads of the
    channels discovered off the roster (`raw.youtube_candidate_videos`): one row per video per
    day, keyed by the video id. Staging shape: a `source` CTE, then `renamed`.
-#}
{% macro stg_youtube_videos(table_name) -%}
with

source as (select * from {{ irm.raw_source('youtube', table_name) }}),

renamed as (

    select
        -- ids
        record_key as video_id,
        {{ irm.json_text('payload', 'snippet.channelId') }} as channel_id,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- snippet
        cast(
            {{ irm.json_text('payload', 'snippet.publishedAt') }} as timestamp with time zone
        ) as published_at,
        {{ irm.json_text('payload', 'snippet.title') }} as title,
        {{ irm.json_text('payload', 'snippet.description') }} as description,

        -- statistics: counts are JSON strings; absent (hidden likes, disabled comments) = NULL
        cast({{ irm.json_text('payload', 'statistics.viewCount') }} as bigint) as view_count,
        cast({{ irm.json_text('payload', 'statistics.likeCount') }} as bigint) as like_count,
        cast(
            {{ irm.json_text('payload', 'statistics.commentCount') }} as bigint
        ) as comment_count,

        -- content details: ISO 8601 duration such as PT13M27S (P0D for live streams)
        {{ irm.json_text('payload', 'contentDetails.duration') }} as duration

    from source

)

select * from renamed
{%- endmacro %}
