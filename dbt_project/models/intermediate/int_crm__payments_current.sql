{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The payments of the latest CRM export of `payments.csv`, one row per payment_id
-- (macros/crm/latest_crm_export.sql).
{{ latest_crm_export('stg_crm__payments', 'payment_id') }}
