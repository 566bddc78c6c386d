{#-
    stg_tiktok_videos('videos'): the whole staging model of a table of Research API
    `video/query` videos by username, the same for the roster's videos (`raw.tiktok_videos`)
    and the last 30 days of videos of each author discovered off the roster
    (`raw.tiktok_candidate_videos`): one row per video per day, keyed by the video id. Staging
    shape: a `source` CTE, then `renamed`.
-#}
{% macro stg_tiktok_videos(table_name) -%}
with

source as (select * from {{ irm.raw_source('tiktok', table_name) }}),

renamed as (

    select
        -- ids: int64 numbers above 2^53; record_key holds the exact digits as landed
        -- (never read through a floating-point type)
        record_key as video_id,
        -- the owner's username as landed
        coalesce(parent_key, {{ irm.json_text('payload', 'username') }}) as username,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- video (create_time is Unix seconds) and counts (JSON numbers; absent = NULL):
        -- macros/staging/tiktok_video_fields.sql, one typing for every table of Research videos
        {{ irm.tiktok_video_fields() }}

    from source

)

select * from renamed
{%- endmacro %}
