-- The measures of mart_campaign_roi per campaign x creator (SPEC 5.1): the creator's
-- contracts in the campaign, their tied posts and attributed orders. Same formulas
-- (macros/campaign_ratios.sql); money summed exactly and rounded to the cent once, here.

with

measures as (

    select * from {{ ref('int_contract_measures') }}

),

totals as (

    select
        campaign_id,
        creator_id,
        count(*) as contracts,
        cast(round(sum(spend_committed_usd), 2) as numeric(18, 2)) as spend_committed_usd,
        cast(round(sum(spend_paid_usd), 2) as numeric(18, 2)) as spend_paid_usd,
        cast(sum(posts_delivered) as bigint) as posts_delivered,
        cast(sum(views) as bigint) as views,
        cast(sum(interactions) as bigint) as interactions,
        cast(sum(orders) as bigint) as orders,
        cast(round(sum(revenue_usd), 2) as numeric(18, 2)) as revenue_usd,
        cast(sum(emv_usd) as double precision) as emv_usd
    from measures
    where campaign_id is not null and creator_id is not null
    group by campaign_id, creator_id

),

final as (

    select
        campaign_id,
        creator_id,
        spend_committed_usd,
        spend_paid_usd,
        posts_delivered,
        views,
        interactions,
        orders,
        revenue_usd,
        emv_usd,
        {{ campaign_ratios() }},
        contracts
    from totals

)

select * from final
