-- Health of the relationship with each creator (SPEC 5.4), on the as-of date:
--   partnership_days       as-of date - first_partnered_on (dim_creator)
--   campaigns              distinct campaigns with a contract
--   days_since_touchpoint  as-of date - date of the last touchpoint (any direction)
--   response_rate          outbound touchpoints answered (responded_at set) / outbound ones
--   on_time_delivery_rate  contracts whose first tied post was published by the due date /
--                          contracts that are due (due_on <= as-of) or delivered
--   on_time_payment_rate   payments paid by the due date / payments that are paid or past due
--                          (cancelled payments left out)
-- health_score (0-100) = 100 x the weighted mean of the components that are known, each in
-- 0..1, with weights from vars (renormalised over the known ones):
--   touchpoint recency (health_weight_touchpoint_recency, 0.25): 1 up to
--     `health_recency_full_days` (14) days since the last touchpoint, falling linearly to 0 at
--     `health_recency_zero_days` (90)
--   response_rate (health_weight_response_rate, 0.25)
--   on_time_delivery_rate (health_weight_on_time_delivery, 0.30)
--   on_time_payment_rate (health_weight_on_time_payment, 0.20)
-- health_band: healthy from `health_band_healthy` (70), needs_attention from
-- `health_band_needs_attention` (40), else at_risk; NULL when nothing is known.
-- Longevity (issue 23; shown, not part of the score; dbt_project/README.md, "Longevity"):
--   months_since_first_partnership  whole calendar months (macros/cross_db/dates.sql,
--                          months_between) from first_partnered_on (dim_creator: the earliest
--                          CRM partnered_on or contract signature, as partnership_days) to the
--                          as-of date; NULL without one or when it lies after the as-of date
--   campaigns_done         distinct campaigns of the creator's contracts that ended (ends_on)
--                          on or before the as-of date
--   repeat_campaign_rate   (campaigns_done - 1) / campaigns_done: the share of those campaigns
--                          that were repeat engagements; NULL when none is done
--   first_campaign_*       the done campaign with the earliest starts_on (ties: campaign_id):
--                          its revenue_usd and roi in mart_campaign_creator_roi
--   later_campaigns_*      the creator's other done campaigns pooled: summed revenue_usd, and
--                          (sum revenue - sum spend_committed) / sum spend_committed; both NULL
--                          when there is no later done campaign (a 0.00 revenue would read as
--                          a campaign that sold nothing), the ROI also on zero spend

{%- set full_days = var('health_recency_full_days') %}
{%- set zero_days = var('health_recency_zero_days') %}

with

as_of as (select as_of_date from {{ ref('int_as_of_date') }}),

creators as (select * from {{ ref('dim_creator') }}),
contracts as (select * from {{ ref('int_contract_measures') }}),

touchpoints as (

    select touchpoints.*
    from {{ ref('int_crm__touchpoints_current') }} as touchpoints
    cross join as_of
    where {{ utc_date('touchpoints.occurred_at') }} <= as_of.as_of_date

),

payments as (

    select
        payments.*,
        contracts.creator_id
    from {{ ref('int_crm__payments_current') }} as payments
    inner join contracts using (contract_id)
    where payments.status <> 'cancelled'

),

touch_summary as (

    select
        creator_id,
        max(occurred_at) as last_touchpoint_at,
        sum(case when direction = 'outbound' then 1 else 0 end) as outbound_touchpoints,
        sum(
            case when direction = 'outbound' and responded_at is not null then 1 else 0 end
        ) as answered_touchpoints
    from touchpoints
    group by creator_id

),

delivery_summary as (

    select
        contracts.creator_id,
        count(distinct contracts.campaign_id) as campaigns,
        sum(
            case
                when
                    contracts.due_on is not null
                    and (
                        contracts.due_on <= as_of.as_of_date
                        or contracts.first_delivered_on is not null
                    )
                    then 1
                else 0
            end
        ) as deliveries_due,
        sum(
            case when contracts.first_delivered_on <= contracts.due_on then 1 else 0 end
        ) as deliveries_on_time
    from contracts
    cross join as_of
    group by contracts.creator_id

),

creator_campaigns as (

    -- the creator's campaigns that are done, numbered from the first (earliest start)
    select
        creator_campaigns.creator_id,
        creator_campaigns.campaign_id,
        creator_campaigns.revenue_usd,
        creator_campaigns.spend_committed_usd,
        creator_campaigns.roi,
        row_number() over (
            partition by creator_campaigns.creator_id
            order by campaigns.starts_on asc nulls last, creator_campaigns.campaign_id asc
        ) as campaign_number
    from {{ ref('mart_campaign_creator_roi') }} as creator_campaigns
    inner join {{ ref('mart_campaign_roi') }} as campaigns using (campaign_id)
    cross join as_of
    where campaigns.ends_on <= as_of.as_of_date

),

longevity as (

    select
        creator_id,
        count(*) as campaigns_done,
        max(case when campaign_number = 1 then campaign_id end) as first_campaign_id,
        max(case when campaign_number = 1 then revenue_usd end) as first_campaign_revenue_usd,
        max(case when campaign_number = 1 then roi end) as first_campaign_roi,
        -- NULL (not 0) without a later campaign: sums over no row
        sum(case when campaign_number > 1 then revenue_usd end) as later_campaigns_revenue_usd,
        sum(case when campaign_number > 1 then spend_committed_usd end)
            as later_campaigns_spend_usd
    from creator_campaigns
    group by creator_id

),

payment_summary as (

    select
        payments.creator_id,
        sum(
            case
                when
                    payments.due_on is not null
                    and (payments.status = 'paid' or payments.due_on < as_of.as_of_date)
                    then 1
                else 0
            end
        ) as payments_due,
        sum(
            case
                when payments.status = 'paid' and payments.paid_on <= payments.due_on then 1
                else 0
            end
        ) as payments_on_time
    from payments
    cross join as_of
    group by payments.creator_id

),

measured as (

    select
        creators.creator_id,
        case
            when creators.first_partnered_on <= as_of.as_of_date
                then {{ days_between('creators.first_partnered_on', 'as_of.as_of_date') }}
        end as partnership_days,
        coalesce(delivery_summary.campaigns, 0) as campaigns,
        touch_summary.last_touchpoint_at,
        {{ days_between(utc_date('touch_summary.last_touchpoint_at'), 'as_of.as_of_date') }}
            as days_since_touchpoint,
        {{ safe_divide(
            'touch_summary.answered_touchpoints', 'touch_summary.outbound_touchpoints'
        ) }} as response_rate,
        {{ safe_divide('delivery_summary.deliveries_on_time', 'delivery_summary.deliveries_due') }}
            as on_time_delivery_rate,
        {{ safe_divide('payment_summary.payments_on_time', 'payment_summary.payments_due') }}
            as on_time_payment_rate,
        case
            when creators.first_partnered_on <= as_of.as_of_date
                then {{ months_between('creators.first_partnered_on', 'as_of.as_of_date') }}
        end as months_since_first_partnership,
        coalesce(longevity.campaigns_done, 0) as campaigns_done,
        {{ safe_divide('longevity.campaigns_done - 1', 'longevity.campaigns_done') }}
            as repeat_campaign_rate,
        longevity.first_campaign_id,
        longevity.first_campaign_revenue_usd,
        longevity.first_campaign_roi,
        longevity.later_campaigns_revenue_usd,
        {{ safe_divide(
            'longevity.later_campaigns_revenue_usd - longevity.later_campaigns_spend_usd',
            'longevity.later_campaigns_spend_usd'
        ) }} as later_campaigns_roi
    from creators
    cross join as_of
    left join touch_summary using (creator_id)
    left join delivery_summary using (creator_id)
    left join payment_summary using (creator_id)
    left join longevity using (creator_id)

),

components as (

    select
        measured.*,
        case
            when measured.days_since_touchpoint is null then null
            when measured.days_since_touchpoint <= {{ full_days }} then 1.0
            when measured.days_since_touchpoint >= {{ zero_days }} then 0.0
            else
                cast({{ zero_days }} - measured.days_since_touchpoint as double precision)
                / ({{ zero_days }} - {{ full_days }})
        end as recency_score
    from measured

),

scored as (

    select
        components.*,
        100 * {{ weighted_mean([
            ('components.recency_score', var('health_weight_touchpoint_recency')),
            ('components.response_rate', var('health_weight_response_rate')),
            ('components.on_time_delivery_rate', var('health_weight_on_time_delivery')),
            ('components.on_time_payment_rate', var('health_weight_on_time_payment')),
        ]) }} as health_score
    from components

),

final as (

    select
        creator_id,
        partnership_days,
        campaigns,
        last_touchpoint_at,
        days_since_touchpoint,
        cast(response_rate as double precision) as response_rate,
        cast(on_time_delivery_rate as double precision) as on_time_delivery_rate,
        cast(on_time_payment_rate as double precision) as on_time_payment_rate,
        cast(health_score as double precision) as health_score,
        case
            when health_score >= {{ var('health_band_healthy') }} then 'healthy'
            when health_score >= {{ var('health_band_needs_attention') }} then 'needs_attention'
            when health_score is not null then 'at_risk'
        end as health_band,
        cast(recency_score as double precision) as touchpoint_recency_score,
        months_since_first_partnership,
        campaigns_done,
        cast(repeat_campaign_rate as double precision) as repeat_campaign_rate,
        first_campaign_id,
        {{ cents('first_campaign_revenue_usd') }} as first_campaign_revenue_usd,
        cast(first_campaign_roi as double precision) as first_campaign_roi,
        {{ cents('later_campaigns_revenue_usd') }} as later_campaigns_revenue_usd,
        cast(later_campaigns_roi as double precision) as later_campaigns_roi
    from scored

)

select * from final
