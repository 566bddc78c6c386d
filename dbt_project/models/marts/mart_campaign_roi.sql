-- Return on each campaign (SPEC 5.1, 5.2), money in the reporting currency (USD by default):
--   spend_committed_usd  sum of contract fee + product cost + commission earned
--   spend_paid_usd       sum of payments with status paid (fees and commission payouts)
--   commission_usd       commission earned: per contract commission_rate x its net revenue,
--                        to the cent; commission_paid_usd its payouts with status paid;
--                        commission_outstanding_usd = earned - paid
--   posts_delivered, views, interactions, emv_usd   over the posts tied to the contracts
--   orders, revenue_usd  attributed orders that count (int_order_attributions)
--   cpm_usd = spend / views x 1000; cpe_usd = spend / interactions; cpa_usd = spend / orders;
--   roas = revenue / spend; roi = (revenue - spend) / spend   (spend = spend_committed_usd;
--   NULL on a zero or unknown denominator)
--   budget_usd           the CRM's planned budget, converted from the campaign's currency
-- Money is summed exactly (decimals, converted per contract or order) and rounded to the cent
-- once, here (half away from zero); the ratios use the rounded columns. The sums, rounding and
-- ratios are mart_campaign_creator_roi's too (macros/campaign_roi.sql). A campaign without
-- contracts has no spend, posts, orders or revenue, and unknown views and interactions.

with

campaigns as (select * from {{ ref('int_crm__campaigns_current') }}),
measures as (select * from {{ ref('int_contract_measures') }}),
rates as (select * from {{ ref('int_currency_rates') }}),

per_campaign as (

    select
        campaign_id,
        count(distinct creator_id) as creators,
        {{ campaign_measure_sums() }}
    from measures
    group by campaign_id

),

final as (

    select
        campaigns.campaign_id,
        {{ campaign_roi_columns('per_campaign') }},
        {{ cents('campaigns.budget * rates.rate_to_reporting') }} as budget_usd,
        campaigns.campaign_name,
        campaigns.brand,
        campaigns.objective,
        campaigns.starts_on,
        campaigns.ends_on,
        coalesce(per_campaign.contracts, 0) as contracts,
        coalesce(per_campaign.creators, 0) as creators
    from campaigns
    left join rates using (currency)
    left join per_campaign using (campaign_id)

)

select * from final
