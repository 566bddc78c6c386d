{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The current state of every shop order: its latest record (int_shop__order_latest_versions,
-- with the money its refunds returned and its tracked link's URL, typed once per record in
-- int_shop__order_versions), with the discount codes of that record
-- (int_shop__order_code_versions): one row per order and code, one with a NULL code when it
-- has none. The link's UTM parameters (SPEC 5.2) are read from the URL here
-- (macros/cross_db/url_parameter.sql: any order, others ignored).

with

current_orders as (select * from {{ ref('int_shop__order_latest_versions') }}),
codes as (select * from {{ ref('int_shop__order_code_versions') }}),

final as (

    select
        current_orders.order_id,
        current_orders.order_name,
        current_orders.customer_id,
        current_orders.snapshot_date,
        current_orders.created_at,
        {{ utc_date('current_orders.created_at') }} as created_date,
        current_orders.cancelled_at,
        current_orders.financial_status,
        current_orders.total_price,
        current_orders.refunded_amount,
        current_orders.currency,
        current_orders.landing_site,
        current_orders.referring_site,
        {{ url_parameter('current_orders.link_url', 'utm_campaign') }} as link_utm_campaign,
        {{ url_parameter('current_orders.link_url', 'utm_content') }} as link_utm_content,
        codes.discount_code,
        upper(trim(codes.discount_code)) as discount_code_key
    from current_orders
    left join codes using (order_id, snapshot_date, extracted_at)

)

select * from final
