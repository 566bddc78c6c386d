{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The payments of the latest CRM export of `payments.csv` (each export is complete, so a row
-- missing from it has been removed). An id repeated within the export keeps its latest read.

with

payments as (

    select * from {{ ref('stg_crm__payments') }}

),

latest_export as (

    select max(snapshot_date) as snapshot_date
    from payments

),

ranked as (

    select
        payments.*,
        row_number() over (
            partition by payments.payment_id
            order by payments.extracted_at desc
        ) as read_rank
    from payments
    inner join latest_export
        on payments.snapshot_date = latest_export.snapshot_date
    where payments.payment_id is not null

),

final as (

    select
        payment_id,
        contract_id,
        snapshot_date,
        extracted_at,
        amount,
        currency,
        status,
        due_on,
        paid_on
    from ranked
    where read_rank = 1

)

select * from final
