{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- Which term's listening found which post, on any day (SPEC 3.4): YouTube search.list
-- results, TikTok video/query videos, Instagram hashtag media. One row per term and post; a
-- post found again on a later day (TikTok's query windows overlap) is one find.

with

youtube as (

    select distinct
        'youtube' as platform,
        term,
        'youtube:' || video_id as post_id
    from {{ ref('stg_youtube__search_results') }}

),

tiktok as (

    select distinct
        'tiktok' as platform,
        term,
        'tiktok:' || video_id as post_id
    from {{ ref('stg_tiktok__query_videos') }}

),

instagram as (

    select distinct
        'instagram' as platform,
        term,
        'instagram:' || media_id as post_id
    from {{ ref('stg_instagram__hashtag_media') }}

),

final as (

    {{ union_all(['youtube', 'tiktok', 'instagram']) }}

)

select * from final
