-- Orders attributed to a contract (SPEC 5.2): one of the order's discount codes equals the
-- contract's promo code (case-insensitive) and the order was created (UTC date) between the
-- campaign start and the campaign end plus `attribution_window_days` (14), both days
-- included. One contract per order: the latest campaign start, then the lowest contract id.
-- Every candidate order is kept with `is_counted`: cancelled orders (cancelled_at set) and
-- refunded or voided ones (financial_status) do not count; a partially refunded one counts
-- with its net revenue (SPEC 5.2). In the reporting currency, not rounded (the marts round
-- sums to the cent), NULL when the currency has no rate:
--   gross_revenue_usd = total_price x rate
--   revenue_usd       = (total_price - refunded_amount) x rate   (net of successful refunds)
-- is_new_customer (SPEC 5.2): the order has a customer (a guest checkout never counts) and that
-- customer has no earlier order (created before it, on a UTC date at most
-- `new_customer_lookback_days` (365) before its own) in the landed history; an earlier order
-- that was cancelled or voided is not history.

with

orders as (select * from {{ ref('int_shop__orders_current') }}),
contracts as (select * from {{ ref('int_contracts') }}),
rates as (select * from {{ ref('int_currency_rates') }}),

candidates as (

    select
        orders.order_id,
        orders.order_name,
        orders.customer_id,
        orders.created_at,
        orders.created_date,
        orders.cancelled_at,
        orders.financial_status,
        orders.total_price,
        orders.refunded_amount,
        orders.currency,
        orders.discount_code,
        contracts.contract_id,
        contracts.campaign_id,
        contracts.creator_id,
        contracts.starts_on,
        contracts.ends_on,
        row_number() over (
            partition by orders.order_id
            order by contracts.starts_on desc, contracts.contract_id asc
        ) as attribution_rank
    from orders
    inner join contracts
        on
            orders.discount_code_key = contracts.promo_code_key
            and orders.created_date >= contracts.starts_on
            and orders.created_date
            <= {{ add_days('contracts.ends_on', var('attribution_window_days')) }}

),

history as (

    select distinct
        customer_id,
        order_id,
        created_at,
        created_date
    from orders
    where
        customer_id is not null
        and cancelled_at is null
        and coalesce(financial_status, '') != 'voided'

),

returning_customers as (

    select distinct candidates.order_id
    from candidates
    inner join history
        on
            candidates.customer_id = history.customer_id
            and candidates.created_at > history.created_at
            and {{ days_between('history.created_date', 'candidates.created_date') }}
            <= {{ var('new_customer_lookback_days') }}
    where candidates.attribution_rank = 1

),

final as (

    select
        candidates.order_id,
        candidates.order_name,
        candidates.contract_id,
        candidates.campaign_id,
        candidates.creator_id,
        candidates.customer_id,
        candidates.discount_code,
        candidates.created_at,
        candidates.created_date,
        candidates.financial_status,
        candidates.cancelled_at,
        candidates.total_price,
        candidates.refunded_amount,
        candidates.currency,
        -- unrounded; the marts round their sums to the cent, once
        cast(
            (candidates.total_price - candidates.refunded_amount) * rates.rate_to_reporting
            as numeric(38, 12)
        ) as revenue_usd,
        cast(
            candidates.total_price * rates.rate_to_reporting as numeric(38, 12)
        ) as gross_revenue_usd,
        case
            when candidates.cancelled_at is not null then 'cancelled'
            when candidates.financial_status in ('refunded', 'voided')
                then candidates.financial_status
        end as exclusion_reason,
        (
            candidates.cancelled_at is null
            and coalesce(candidates.financial_status, '') not in ('refunded', 'voided')
        ) as is_counted,
        (
            candidates.customer_id is not null
            and returning_customers.order_id is null
        ) as is_new_customer
    from candidates
    left join rates using (currency)
    left join returning_customers using (order_id)
    where candidates.attribution_rank = 1

)

select * from final
