{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The warehouse's reference date, one row: var `as_of_date` when set, else the latest account
-- snapshot date, else the latest CRM export date. State flags (low engagement, inactive
-- partners, overdue payments), "days since" measures and open flags are evaluated on it, so a
-- rebuild over the same raw data gives the same marts whatever the wall clock says.

{%- set as_of_override = var('as_of_date', none) %}

with

snapshots as (

    select max(snapshot_date) as last_snapshot_date
    from {{ ref('int_account_snapshots') }}

),

crm as (

    select max(snapshot_date) as last_export_date
    from {{ ref('stg_crm__creators') }}

),

final as (

    select
        coalesce(
            {{ "cast('" ~ as_of_override ~ "' as date)" if as_of_override else 'null' }},
            snapshots.last_snapshot_date,
            crm.last_export_date
        ) as as_of_date
    from snapshots
    cross join crm

)

select * from final
