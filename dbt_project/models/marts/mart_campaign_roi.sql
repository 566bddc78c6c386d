-- Return on each campaign (SPEC 5.1, 5.2), money in the reporting currency (USD by default):
--   spend_committed_usd  sum of contract fee + product cost
--   spend_paid_usd       sum of payments with status paid
--   posts_delivered, views, interactions, emv_usd   over the posts tied to the contracts
--   orders, revenue_usd  attributed orders that count (int_order_attributions)
--   cpm_usd = spend / views x 1000; cpe_usd = spend / interactions; cpa_usd = spend / orders;
--   roas = revenue / spend; roi = (revenue - spend) / spend   (spend = spend_committed_usd;
--   NULL on a zero or unknown denominator)
-- Money is summed exactly (decimals, converted per contract or order) and rounded to the cent
-- once, here (half away from zero); the ratios use the rounded columns.

with

campaigns as (

    select * from {{ ref('int_crm__campaigns_current') }}

),

measures as (

    select * from {{ ref('int_contract_measures') }}

),

per_campaign as (

    select
        campaign_id,
        count(*) as contracts,
        count(distinct creator_id) as creators,
        sum(spend_committed_usd) as spend_committed_usd,
        sum(spend_paid_usd) as spend_paid_usd,
        cast(sum(posts_delivered) as bigint) as posts_delivered,
        cast(sum(views) as bigint) as views,
        cast(sum(interactions) as bigint) as interactions,
        cast(sum(orders) as bigint) as orders,
        sum(revenue_usd) as revenue_usd,
        sum(emv_usd) as emv_usd
    from measures
    group by campaign_id

),

totals as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.brand,
        campaigns.objective,
        campaigns.starts_on,
        campaigns.ends_on,
        coalesce(per_campaign.contracts, 0) as contracts,
        coalesce(per_campaign.creators, 0) as creators,
        cast(round(coalesce(per_campaign.spend_committed_usd, 0), 2) as numeric(18, 2))
            as spend_committed_usd,
        cast(round(coalesce(per_campaign.spend_paid_usd, 0), 2) as numeric(18, 2))
            as spend_paid_usd,
        coalesce(per_campaign.posts_delivered, 0) as posts_delivered,
        per_campaign.views,
        per_campaign.interactions,
        coalesce(per_campaign.orders, 0) as orders,
        cast(round(coalesce(per_campaign.revenue_usd, 0), 2) as numeric(18, 2)) as revenue_usd,
        cast(per_campaign.emv_usd as double precision) as emv_usd
    from campaigns
    left join per_campaign
        on campaigns.campaign_id = per_campaign.campaign_id

),

final as (

    select
        campaign_id,
        spend_committed_usd,
        spend_paid_usd,
        posts_delivered,
        views,
        interactions,
        orders,
        revenue_usd,
        emv_usd,
        {{ campaign_ratios() }},
        campaign_name,
        brand,
        objective,
        starts_on,
        ends_on,
        contracts,
        creators
    from totals

)

select * from final
