{#-
    stg_youtube_channels('channels'): the whole staging model of a table of `channels.list`
    resources, the same for the roster's channels (`raw.youtube_channels`) and the channels the
    day's search results found off the roster (`raw.youtube_discovered_channels`): one row per
    channel per day, keyed by the channel id. Staging shape: a `source` CTE, then `renamed`.
-#}
{% macro stg_youtube_channels(table_name) -%}
with

source as (select * from {{ irm.raw_source('youtube', table_name) }}),

renamed as (

    select
        -- ids
        record_key as channel_id,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- snippet
        {{ irm.json_text('payload', 'snippet.title') }} as title,
        {{ irm.json_text('payload', 'snippet.customUrl') }} as handle,
        cast(
            {{ irm.json_text('payload', 'snippet.publishedAt') }} as timestamp with time zone
        ) as channel_published_at,

        -- statistics: counts are JSON strings; an absent count stays NULL. A hidden subscriber
        -- count may still come as "0": int_account_snapshots reads it as unknown
        cast(
            {{ irm.json_text('payload', 'statistics.subscriberCount') }} as bigint
        ) as subscriber_count,
        cast(
            {{ irm.json_text('payload', 'statistics.hiddenSubscriberCount') }} as boolean
        ) as is_subscriber_count_hidden,
        cast({{ irm.json_text('payload', 'statistics.viewCount') }} as bigint) as view_count,
        cast({{ irm.json_text('payload', 'statistics.videoCount') }} as bigint) as video_count,

        -- content details
        {{ irm.json_text('payload', 'contentDetails.relatedPlaylists.uploads') }} as uploads_playlist_id

    from source

)

select * from renamed
{%- endmacro %}
