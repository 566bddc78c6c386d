{{ history_by_day() }}

-- Every landed record of every shop order (an order is extracted again when it is refunded or
-- cancelled), one row per record, typed once: its facts, the money its refunds returned (the
-- sum of the record's refund transactions of kind `refund` with status `success`, 0 without
-- any, in the order's currency: Shopify writes a refund transaction in the currency the order
-- was paid in, listening_api_shapes.md 4.2) and the URL of the tracked link the visit came
-- through (SPEC 5.2): landing_site when it has utm_campaign, else referring_site
-- (macros/cross_db/url_parameter.sql).
--
-- Incremental (issue 21): each run parses only the last `refresh_lookback_days` days of the
-- staging views (their JSON payloads), each day replaced whole (delete+insert by
-- snapshot_date, so a record missing from a re-loaded partition leaves, as in a full
-- refresh). int_shop__order_latest_versions keeps each order's latest record from it.

with

orders as ({{ snapshots_to_rederive('stg_shop__orders') }}),
refund_transactions as ({{ snapshots_to_rederive('stg_shop__order_refund_transactions') }}),

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

final as (

    select
        orders.order_id,
        orders.order_name,
        orders.customer_id,
        orders.snapshot_date,
        orders.extracted_at,
        orders.created_at,
        orders.cancelled_at,
        orders.financial_status,
        orders.total_price,
        cast(coalesce(refunded.refunded_amount, 0) as numeric(18, 2)) as refunded_amount,
        orders.currency,
        orders.landing_site,
        orders.referring_site,
        case
            when {{ url_parameter('orders.landing_site', 'utm_campaign') }} is not null
                then orders.landing_site
            else orders.referring_site
        end as link_url
    from orders
    left join refunded using (order_id, snapshot_date, extracted_at)

)

select * from final
