with

source as (select * from {{ raw_source('tiktok', 'videos') }}),

renamed as (

    select
        -- ids: int64 numbers above 2^53; record_key holds the exact digits as landed
        -- (never read through a floating-point type)
        record_key as video_id,
        -- the owner's username as landed
        coalesce(parent_key, {{ json_text('payload', 'username') }}) as username,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- video (create_time is Unix seconds) and counts (JSON numbers; absent = NULL):
        -- macros/staging/tiktok_video_fields.sql, one typing for every table of Research videos
        {{ tiktok_video_fields() }}

    from source

)

select * from renamed
