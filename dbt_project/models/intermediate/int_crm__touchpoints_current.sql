{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The touchpoints of the latest CRM export of `touchpoints.csv` (each export is complete, so a row
-- missing from it has been removed). An id repeated within the export keeps its latest read.

with

touchpoints as (

    select * from {{ ref('stg_crm__touchpoints') }}

),

latest_export as (

    select max(snapshot_date) as snapshot_date
    from touchpoints

),

ranked as (

    select
        touchpoints.*,
        row_number() over (
            partition by touchpoints.touchpoint_id
            order by touchpoints.extracted_at desc
        ) as read_rank
    from touchpoints
    inner join latest_export
        on touchpoints.snapshot_date = latest_export.snapshot_date
    where touchpoints.touchpoint_id is not null

),

final as (

    select
        touchpoint_id,
        creator_id,
        snapshot_date,
        extracted_at,
        channel,
        direction,
        occurred_at,
        responded_at
    from ranked
    where read_rank = 1

)

select * from final
