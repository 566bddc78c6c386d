{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The creators of the latest CRM export (each export is complete, so a creator missing from
-- it has been removed). A creator id repeated within the export keeps its latest read.

with

creators as (

    select * from {{ ref('stg_crm__creators') }}

),

latest_export as (

    select max(snapshot_date) as snapshot_date
    from creators

),

ranked as (

    select
        creators.*,
        row_number() over (
            partition by creators.creator_id
            order by creators.extracted_at desc
        ) as read_rank
    from creators
    inner join latest_export
        on creators.snapshot_date = latest_export.snapshot_date

),

final as (

    select
        creator_id,
        snapshot_date,
        extracted_at,
        display_name,
        email,
        manager,
        status,
        country,
        niche,
        youtube_channel_id,
        instagram_username,
        tiktok_username,
        partnered_on
    from ranked
    where read_rank = 1

)

select * from final
