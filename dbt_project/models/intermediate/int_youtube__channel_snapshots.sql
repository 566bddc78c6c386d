-- One row per channel per snapshot date: a record delivered twice for the same day
-- (a repeated page, a re-run) keeps its latest extraction.

with

channels as (

    select * from {{ ref('stg_youtube__channels') }}

),

ranked as (

    select
        channels.*,
        row_number() over (
            partition by channels.channel_id, channels.snapshot_date
            order by channels.extracted_at desc
        ) as extraction_rank
    from channels

),

final as (

    select
        channel_id,
        snapshot_date,
        extracted_at,
        title,
        handle,
        channel_published_at,
        subscriber_count,
        is_subscriber_count_hidden,
        view_count,
        video_count,
        uploads_playlist_id
    from ranked
    where extraction_rank = 1

)

select * from final
