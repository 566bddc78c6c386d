-- One row per video: its most recent snapshot. Videos are re-measured while they are young,
-- so an older video keeps the metrics of the last day it was refreshed.

with

videos as (

    select * from {{ ref('stg_youtube__videos') }}

),

ranked as (

    select
        videos.*,
        row_number() over (
            partition by videos.video_id
            order by videos.snapshot_date desc, videos.extracted_at desc
        ) as snapshot_rank
    from videos

),

final as (

    select
        video_id,
        channel_id,
        snapshot_date,
        extracted_at,
        published_at,
        title,
        description,
        view_count,
        like_count,
        comment_count,
        duration
    from ranked
    where snapshot_rank = 1

)

select * from final
