{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The current state of every shop order: its latest record (an order is extracted again when
-- it is refunded or cancelled), with the discount codes of that record and the money its
-- refunds returned: the sum of the record's refund transactions of kind `refund` with status
-- `success` (listening_api_shapes.md 4.2; 0 without any), in the order's currency (Shopify
-- writes a refund transaction in the currency the order was paid in). The tracked link the
-- visit came through (SPEC 5.2): the UTM parameters of landing_site when it has utm_campaign,
-- else of referring_site (macros/cross_db/url_parameter.sql: any order, others ignored).

with

orders as (select * from {{ ref('stg_shop__orders') }}),
codes as (select * from {{ ref('stg_shop__order_discount_codes') }}),
refund_transactions as (select * from {{ ref('stg_shop__order_refund_transactions') }}),

current_orders as (

    {{ latest_record('orders', ['order_id'], 'snapshot_date desc, extracted_at desc') }}

),

refunded as (

    select
        order_id,
        snapshot_date,
        extracted_at,
        sum(amount) as refunded_amount
    from refund_transactions
    where transaction_kind = 'refund' and transaction_status = 'success'
    group by order_id, snapshot_date, extracted_at

),

tracked as (

    select
        order_id,
        snapshot_date,
        extracted_at,
        case
            when {{ url_parameter('landing_site', 'utm_campaign') }} is not null
                then landing_site
            else referring_site
        end as link_url
    from current_orders

),

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
        cast(coalesce(refunded.refunded_amount, 0) as numeric(18, 2)) as refunded_amount,
        current_orders.currency,
        current_orders.landing_site,
        current_orders.referring_site,
        {{ url_parameter('tracked.link_url', 'utm_campaign') }} as link_utm_campaign,
        {{ url_parameter('tracked.link_url', 'utm_content') }} as link_utm_content,
        codes.discount_code,
        upper(trim(codes.discount_code)) as discount_code_key
    from current_orders
    left join codes using (order_id, snapshot_date, extracted_at)
    left join refunded using (order_id, snapshot_date, extracted_at)
    left join tracked using (order_id, snapshot_date, extracted_at)

)

select * from final
