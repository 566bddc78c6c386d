{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The current state of every shop order: its latest record (an order is extracted again when
-- it is refunded or cancelled), with the discount codes of that record.

with

orders as (select * from {{ ref('stg_shop__orders') }}),
codes as (select * from {{ ref('stg_shop__order_discount_codes') }}),

current_orders as (

    {{ latest_record('orders', ['order_id'], 'snapshot_date desc, extracted_at desc') }}

),

final as (

    select
        current_orders.order_id,
        current_orders.order_name,
        current_orders.snapshot_date,
        current_orders.created_at,
        {{ utc_date('current_orders.created_at') }} as created_date,
        current_orders.cancelled_at,
        current_orders.financial_status,
        current_orders.total_price,
        current_orders.currency,
        codes.discount_code,
        upper(trim(codes.discount_code)) as discount_code_key
    from current_orders
    left join codes using (order_id, snapshot_date, extracted_at)

)

select * from final
