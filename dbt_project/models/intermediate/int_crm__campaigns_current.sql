{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The campaigns of the latest CRM export of `campaigns.csv` (each export is complete, so a row
-- missing from it has been removed). An id repeated within the export keeps its latest read.

with

campaigns as (

    select * from {{ ref('stg_crm__campaigns') }}

),

latest_export as (

    select max(snapshot_date) as snapshot_date
    from campaigns

),

ranked as (

    select
        campaigns.*,
        row_number() over (
            partition by campaigns.campaign_id
            order by campaigns.extracted_at desc
        ) as read_rank
    from campaigns
    inner join latest_export
        on campaigns.snapshot_date = latest_export.snapshot_date
    where campaigns.campaign_id is not null

),

final as (

    select
        campaign_id,
        snapshot_date,
        extracted_at,
        campaign_name,
        brand,
        brand_handle,
        objective,
        tracking_hashtag,
        starts_on,
        ends_on,
        budget,
        currency
    from ranked
    where read_rank = 1

)

select * from final
