with

source as (select * from {{ raw_source('youtube', 'channels') }}),

renamed as (

    select
        -- ids
        record_key as channel_id,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- snippet
        {{ json_text('payload', 'snippet.title') }} as title,
        {{ json_text('payload', 'snippet.customUrl') }} as handle,
        cast(
            {{ json_text('payload', 'snippet.publishedAt') }} as timestamp with time zone
        ) as channel_published_at,

        -- statistics: counts are JSON strings; an absent count stays NULL. A hidden subscriber
        -- count may still come as "0": int_account_snapshots reads it as unknown
        cast(
            {{ json_text('payload', 'statistics.subscriberCount') }} as bigint
        ) as subscriber_count,
        cast(
            {{ json_text('payload', 'statistics.hiddenSubscriberCount') }} as boolean
        ) as is_subscriber_count_hidden,
        cast({{ json_text('payload', 'statistics.viewCount') }} as bigint) as view_count,
        cast({{ json_text('payload', 'statistics.videoCount') }} as bigint) as video_count,

        -- content details
        {{ json_text('payload', 'contentDetails.relatedPlaylists.uploads') }} as uploads_playlist_id

    from source

)

select * from renamed
