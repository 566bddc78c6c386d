-- Orders attributed to a contract (SPEC 5.2), by promo code or by tracked link, each inside the
-- contract's window: the order was created (UTC date) between the campaign start and the
-- campaign end plus `attribution_window_days` (14), both days included.
--   code: one of the order's discount codes equals the contract's promo code
--         (case-insensitive);
--   link: the UTM parameters of the order's tracked link (int_shop__orders_current:
--         landing_site's when it has utm_campaign, else referring_site's) equal the
--         contract's utm_campaign and utm_content (CRM columns; a contract without them is
--         never matched by link).
-- Of several contracts one method matches, the latest campaign start, then the lowest contract
-- id. When the code and the link name different contracts, `attribution_conflict_winner`
-- (default code) decides. attribution_method says which decided: `code` (code only, code and
-- link agreeing, or the code winning a conflict) or `link` (link only, or the link winning);
-- code_contract_id and link_contract_id keep what each method named.
-- Every attributed order is kept with `is_counted`: cancelled orders (cancelled_at set) and
-- refunded or voided ones (financial_status) do not count; a partially refunded one counts
-- with its net revenue (SPEC 5.2). In the reporting currency, not rounded (the marts round
-- sums to the cent), NULL when the currency has no rate:
--   gross_revenue_usd = total_price x rate
--   revenue_usd       = (total_price - refunded_amount) x rate   (net of successful refunds)
-- is_new_customer (SPEC 5.2): the order has a customer (a guest checkout never counts) and that
-- customer has no earlier order (created before it, on a UTC date at most
-- `new_customer_lookback_days` (365) before its own) in the landed history; an earlier order
-- that was cancelled or voided is not history.

{%- set conflict_winner = attribution_conflict_winner() %}

with

orders as (select * from {{ ref('int_shop__orders_current') }}),
contracts as (select * from {{ ref('int_contracts') }}),
rates as (select * from {{ ref('int_currency_rates') }}),

-- one row per order (int_shop__orders_current has one per discount code)
order_facts as (

    select distinct
        order_id,
        order_name,
        customer_id,
        created_at,
        created_date,
        cancelled_at,
        financial_status,
        total_price,
        refunded_amount,
        currency,
        link_utm_campaign,
        link_utm_content
    from orders

),

-- each contract an order names, by promo code and by tracked link
named as (

    select
        orders.order_id,
        orders.created_date,
        'code' as named_by,
        contracts.contract_id,
        orders.discount_code
    from orders
    inner join contracts on orders.discount_code_key = contracts.promo_code_key
    union all
    select
        order_facts.order_id,
        order_facts.created_date,
        'link' as named_by,
        contracts.contract_id,
        null as discount_code
    from order_facts
    inner join contracts
        on
            order_facts.link_utm_campaign = contracts.utm_campaign
            and order_facts.link_utm_content = contracts.utm_content

),

-- those inside their window, ranked per order and method
in_window as (

    select
        named.order_id,
        named.named_by,
        named.contract_id,
        named.discount_code,
        row_number() over (
            partition by named.order_id, named.named_by
            order by contracts.starts_on desc, contracts.contract_id asc
        ) as match_rank
    from named
    inner join contracts on named.contract_id = contracts.contract_id
    where
        named.created_date >= contracts.starts_on
        and named.created_date
        <= {{ add_days('contracts.ends_on', var('attribution_window_days')) }}

),

matched as (

    select
        order_facts.*,
        code_matches.discount_code,
        code_matches.contract_id as code_contract_id,
        link_matches.contract_id as link_contract_id,
        case
            when code_matches.contract_id is null then 'link'
            when
                link_matches.contract_id is null
                or link_matches.contract_id = code_matches.contract_id
                then 'code'
            else '{{ conflict_winner }}'
        end as attribution_method
    from order_facts
    left join in_window as code_matches
        on
            order_facts.order_id = code_matches.order_id
            and code_matches.named_by = 'code'
            and code_matches.match_rank = 1
    left join in_window as link_matches
        on
            order_facts.order_id = link_matches.order_id
            and link_matches.named_by = 'link'
            and link_matches.match_rank = 1
    where code_matches.contract_id is not null or link_matches.contract_id is not null

),

history as (

    select distinct
        customer_id,
        order_id,
        created_at,
        created_date
    from order_facts
    where
        customer_id is not null
        and cancelled_at is null
        and coalesce(financial_status, '') != 'voided'

),

returning_customers as (

    select distinct matched.order_id
    from matched
    inner join history
        on
            matched.customer_id = history.customer_id
            and matched.created_at > history.created_at
            and {{ days_between('history.created_date', 'matched.created_date') }}
            <= {{ var('new_customer_lookback_days') }}

),

final as (

    select
        matched.order_id,
        matched.order_name,
        contracts.contract_id,
        contracts.campaign_id,
        contracts.creator_id,
        matched.attribution_method,
        matched.code_contract_id,
        matched.link_contract_id,
        matched.customer_id,
        matched.discount_code,
        matched.created_at,
        matched.created_date,
        matched.financial_status,
        matched.cancelled_at,
        matched.total_price,
        matched.refunded_amount,
        matched.currency,
        -- unrounded; the marts round their sums to the cent, once
        cast(
            (matched.total_price - matched.refunded_amount) * rates.rate_to_reporting
            as numeric(38, 12)
        ) as revenue_usd,
        cast(
            matched.total_price * rates.rate_to_reporting as numeric(38, 12)
        ) as gross_revenue_usd,
        case
            when matched.cancelled_at is not null then 'cancelled'
            when matched.financial_status in ('refunded', 'voided')
                then matched.financial_status
        end as exclusion_reason,
        (
            matched.cancelled_at is null
            and coalesce(matched.financial_status, '') not in ('refunded', 'voided')
        ) as is_counted,
        (
            matched.customer_id is not null
            and returning_customers.order_id is null
        ) as is_new_customer
    from matched
    inner join contracts
        on
            contracts.contract_id = case
                when matched.attribution_method = 'code' then matched.code_contract_id
                else matched.link_contract_id
            end
    left join rates on matched.currency = rates.currency
    left join returning_customers on matched.order_id = returning_customers.order_id

)

select * from final
