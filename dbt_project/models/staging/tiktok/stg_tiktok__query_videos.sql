with

source as (select * from {{ raw_source('tiktok', 'query_videos') }}),

renamed as (

    select
        -- ids: record_key is `<term>:<video id>` (a term is one word without ':'), its line's
        -- parent the term; the id's int64 digits are taken from it exactly as landed (never
        -- read through a floating-point type)
        parent_key as term,
        split_part(record_key, ':', 2) as video_id,
        {{ json_text('payload', 'username') }} as username,

        -- snapshot: the day's query of the term
        dt as snapshot_date,
        extracted_at,

        -- video (create_time is Unix seconds) and counts (JSON numbers; absent = NULL):
        -- macros/staging/tiktok_video_fields.sql, one typing for every table of Research videos
        {{ tiktok_video_fields() }}

    from source

)

select * from renamed
