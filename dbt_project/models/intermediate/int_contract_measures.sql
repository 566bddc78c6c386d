-- Per contract, everything campaign ROI sums (SPEC 5.2), in the reporting currency:
-- spend committed (fee + product cost + the commission earned), spend paid (payments with
-- status paid, fees and commission payouts alike), the commission (performance-based
-- contracts: commission_rate x the net attributed revenue, to the cent, since it is a sum
-- owed) with what of it was paid (paid payments whose purpose is commission), the posts
-- tied to the contract with their views, interactions and EMV, the first delivery, and the
-- counted attributed orders (by the method that decided: code or link) with their revenue (net
-- of partial refunds) and gross revenue, and
-- those of them that are new-customer orders with their (net) revenue.
-- Money is not rounded here (exact decimals): mart_campaign_roi and mart_campaign_creator_roi
-- round their sums to the cent, once.

with

contracts as (select * from {{ ref('int_contracts') }}),
payments as (select * from {{ ref('int_crm__payments_current') }}),
rates as (select * from {{ ref('int_currency_rates') }}),
ties as (select * from {{ ref('int_post_campaign_ties') }}),
engagement as (select * from {{ ref('int_post_engagement') }}),
attributions as (select * from {{ ref('int_order_attributions') }}),

paid as (

    select
        payments.contract_id,
        sum(payments.amount * rates.rate_to_reporting) as spend_paid_usd,
        sum(
            case
                when payments.purpose = 'commission' then payments.amount * rates.rate_to_reporting
                else 0
            end
        ) as commission_paid_usd
    from payments
    left join rates using (currency)
    where payments.status = 'paid'
    group by payments.contract_id

),

delivered as (

    select
        ties.contract_id,
        count(*) as posts_delivered,
        cast(sum(engagement.views) as bigint) as views,
        cast(sum(engagement.interactions) as bigint) as interactions,
        -- summed as decimals: a sum of doubles varies with the order threads add them up
        cast(sum(cast(engagement.emv_usd as numeric(38, 12))) as double precision) as emv_usd,
        min(ties.published_date) as first_delivered_on
    from ties
    inner join engagement using (post_id)
    group by ties.contract_id

),

sold as (

    select
        contract_id,
        count(*) as orders,
        sum(case when attribution_method = 'code' then 1 else 0 end) as orders_by_code,
        sum(case when attribution_method = 'link' then 1 else 0 end) as orders_by_link,
        sum(revenue_usd) as revenue_usd,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(case when is_new_customer then 1 else 0 end) as new_customers,
        sum(case when is_new_customer then revenue_usd else 0 end) as new_customer_revenue_usd
    from attributions
    where is_counted
    group by contract_id

),

earned as (

    select
        contracts.contract_id,
        -- rounded here, not in the marts: a commission is an amount owed, in cents (the
        -- product of the exact decimals rounded once, half away from zero)
        cast(
            coalesce(round(contracts.commission_rate * coalesce(sold.revenue_usd, 0), 2), 0)
            as numeric(18, 2)
        ) as commission_usd
    from contracts
    left join sold using (contract_id)

),

final as (

    select
        contracts.contract_id,
        contracts.campaign_id,
        contracts.creator_id,
        contracts.due_on,
        cast(
            contracts.spend_committed_usd + earned.commission_usd as numeric(38, 12)
        ) as spend_committed_usd,
        cast(coalesce(paid.spend_paid_usd, 0) as numeric(38, 12)) as spend_paid_usd,
        earned.commission_usd,
        cast(coalesce(paid.commission_paid_usd, 0) as numeric(38, 12)) as commission_paid_usd,
        coalesce(delivered.posts_delivered, 0) as posts_delivered,
        delivered.views,
        delivered.interactions,
        delivered.emv_usd,
        delivered.first_delivered_on,
        coalesce(sold.orders, 0) as orders,
        cast(coalesce(sold.orders_by_code, 0) as bigint) as orders_by_code,
        cast(coalesce(sold.orders_by_link, 0) as bigint) as orders_by_link,
        cast(coalesce(sold.revenue_usd, 0) as numeric(38, 12)) as revenue_usd,
        cast(coalesce(sold.gross_revenue_usd, 0) as numeric(38, 12)) as gross_revenue_usd,
        cast(coalesce(sold.new_customers, 0) as bigint) as new_customers,
        cast(
            coalesce(sold.new_customer_revenue_usd, 0) as numeric(38, 12)
        ) as new_customer_revenue_usd
    from contracts
    inner join earned using (contract_id)
    left join paid using (contract_id)
    left join delivered using (contract_id)
    left join sold using (contract_id)

)

select * from final
