with

source as (select * from {{ raw_source('youtube', 'videos') }}),

renamed as (

    select
        -- ids
        record_key as video_id,
        {{ json_text('payload', 'snippet.channelId') }} as channel_id,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- snippet
        cast(
            {{ json_text('payload', 'snippet.publishedAt') }} as timestamp with time zone
        ) as published_at,
        {{ json_text('payload', 'snippet.title') }} as title,
        {{ json_text('payload', 'snippet.description') }} as description,

        -- statistics: counts are JSON strings; absent (hidden likes, disabled comments) = NULL
        cast({{ json_text('payload', 'statistics.viewCount') }} as bigint) as view_count,
        cast({{ json_text('payload', 'statistics.likeCount') }} as bigint) as like_count,
        cast({{ json_text('payload', 'statistics.commentCount') }} as bigint) as comment_count,

        -- content details: ISO 8601 duration such as PT13M27S (P0D for live streams)
        {{ json_text('payload', 'contentDetails.duration') }} as duration

    from source

)

select * from renamed
