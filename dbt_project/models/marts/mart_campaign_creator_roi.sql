-- The measures of mart_campaign_roi per campaign x creator (SPEC 5.1): the creator's
-- contracts in the campaign, their tied posts and attributed orders. The same sums, rounding
-- and ratios (macros/campaign_roi.sql): money summed exactly and rounded to the cent once.

with

measures as (select * from {{ ref('int_contract_measures') }}),

totals as (

    select
        campaign_id,
        creator_id,
        {{ campaign_measure_sums() }}
    from measures
    where campaign_id is not null and creator_id is not null
    group by campaign_id, creator_id

),

final as (

    select
        totals.campaign_id,
        totals.creator_id,
        {{ campaign_roi_columns('totals') }},
        totals.contracts
    from totals

)

select * from final
