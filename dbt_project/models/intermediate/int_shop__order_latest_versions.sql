{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='order_id',
        on_schema_change='sync_all_columns',
        post_hook="delete from {{ this }} where order_id not in (select order_id from {{ ref('int_shop__order_versions') }})"
    )
}}

-- Each shop order's latest record (the latest date, then the latest extraction), one row per
-- order. Incremental, keyed by order (issue 21), as int_post_latest_snapshots is by post: a
-- run ranks again only the orders with a record in the days int_shop__order_versions
-- re-derives, or whose latest record here lies in those days (a re-loaded partition may have
-- lost it), each over all its records (macros/latest_version.sql); a post hook removes the
-- orders whose records all left, so the table equals a full refresh.

with

latest as (

    {{ latest_version_per_key('int_shop__order_versions', 'order_id') }}

),

final as (

    select
        order_id,
        order_name,
        customer_id,
        snapshot_date,
        extracted_at,
        created_at,
        cancelled_at,
        financial_status,
        total_price,
        refunded_amount,
        currency,
        landing_site,
        referring_site,
        link_url
    from latest

)

select * from final
