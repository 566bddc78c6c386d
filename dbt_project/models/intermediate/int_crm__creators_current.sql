{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The creators of the latest CRM export of `creators.csv`, one row per creator_id
-- (macros/crm/latest_crm_export.sql).
{{ latest_crm_export('stg_crm__creators', 'creator_id', drop_rows_without_key=false) }}
