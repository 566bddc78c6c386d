{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The contracts of the latest CRM export of `contracts.csv` (each export is complete, so a row
-- missing from it has been removed). An id repeated within the export keeps its latest read.

with

contracts as (

    select * from {{ ref('stg_crm__contracts') }}

),

latest_export as (

    select max(snapshot_date) as snapshot_date
    from contracts

),

ranked as (

    select
        contracts.*,
        row_number() over (
            partition by contracts.contract_id
            order by contracts.extracted_at desc
        ) as read_rank
    from contracts
    inner join latest_export
        on contracts.snapshot_date = latest_export.snapshot_date
    where contracts.contract_id is not null

),

final as (

    select
        contract_id,
        campaign_id,
        creator_id,
        snapshot_date,
        extracted_at,
        fee,
        product_cost,
        currency,
        deliverables,
        promo_code,
        is_exclusive,
        due_on,
        signed_on
    from ranked
    where read_rank = 1

)

select * from final
