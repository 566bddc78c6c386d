{#-
    The arithmetic of the two campaign ROI marts, written once (SPEC 5.1, 5.2):
    mart_campaign_roi (per campaign) and mart_campaign_creator_roi (per campaign x creator)
    both sum int_contract_measures at their grain with campaign_measure_sums() and turn the
    sums into their measure columns with campaign_roi_columns().
-#}

{#-
    campaign_measure_sums(): the aggregate columns of a GROUP BY over int_contract_measures
    rows: `contracts` and the exact sums of the contract measures (money not rounded yet; EMV
    summed as a decimal). Like campaign_roi_columns, its lines are indented for the select list
    it is called in, so the compiled SQL reads aligned.
-#}
{% macro campaign_measure_sums() -%}
        count(*) as contracts,
        sum(spend_committed_usd) as spend_committed_usd,
        sum(spend_paid_usd) as spend_paid_usd,
        sum(posts_delivered) as posts_delivered,
        sum(views) as views,
        sum(interactions) as interactions,
        sum(orders) as orders,
        sum(orders_by_code) as orders_by_code,
        sum(orders_by_link) as orders_by_link,
        sum(revenue_usd) as revenue_usd,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(new_customers) as new_customers,
        sum(new_customer_revenue_usd) as new_customer_revenue_usd,
        sum(commission_usd) as commission_usd,
        sum(commission_paid_usd) as commission_paid_usd,
        -- EMV is a double: summed as a decimal, since a sum of doubles depends on the order the
        -- rows arrive in, and the same contracts would give another last digit (and another
        -- mart checksum) whenever an upstream plan or thread schedule orders them differently
        sum(cast(emv_usd as numeric(38, 12))) as emv_usd
{%- endmacro %}

{#-
    campaign_roi_columns('totals'): the SPEC 5.1 measure columns, in order, from a relation
    holding the columns of campaign_measure_sums() (NULL for a campaign without contracts, after
    a left join: no spend, posts, orders or revenue; unknown views, interactions and EMV).
    Money is rounded to the cent once, here (half away from zero, as both databases' `round`;
    EMV too, from its exact sum: macros/money.sql), and the ratios use the rounded money:
    CPM = spend / views x 1000, CPE = spend / interactions, CPA = spend / orders, cost per new
    customer = spend / new-customer orders (unit costs, decimals to a hundredth of a cent), ROAS = revenue / spend, ROI = (revenue - spend) /
    spend (fractions), revenue being the net revenue (after partial refunds; the gross revenue
    stands beside it) and spend the committed spend (fee + product cost + commission earned);
    NULL on a zero or unknown denominator (safe_divide). The commission: earned (owed), paid
    (payouts with status paid) and outstanding = earned - paid (negative: paid more than the
    revenue, net of later refunds, earns).
-#}
{% macro campaign_roi_columns(totals) -%}
    {%- set spend = irm.cents("coalesce(" ~ totals ~ ".spend_committed_usd, 0)") -%}
    {%- set paid = irm.cents("coalesce(" ~ totals ~ ".spend_paid_usd, 0)") -%}
    {%- set revenue = irm.cents("coalesce(" ~ totals ~ ".revenue_usd, 0)") -%}
    {%- set gross_revenue = irm.cents("coalesce(" ~ totals ~ ".gross_revenue_usd, 0)") -%}
    {%- set views = "cast(" ~ totals ~ ".views as bigint)" -%}
    {%- set interactions = "cast(" ~ totals ~ ".interactions as bigint)" -%}
    {%- set orders = "cast(coalesce(" ~ totals ~ ".orders, 0) as bigint)" -%}
    {%- set new_customers = "cast(coalesce(" ~ totals ~ ".new_customers, 0) as bigint)" -%}
    {%- set new_revenue = irm.cents("coalesce(" ~ totals ~ ".new_customer_revenue_usd, 0)") -%}
    {%- set commission = irm.cents("coalesce(" ~ totals ~ ".commission_usd, 0)") -%}
    {%- set commission_paid = irm.cents("coalesce(" ~ totals ~ ".commission_paid_usd, 0)") -%}
        {{ spend }} as spend_committed_usd,
        {{ paid }} as spend_paid_usd,
        cast(coalesce({{ totals }}.posts_delivered, 0) as bigint) as posts_delivered,
        {{ views }} as views,
        {{ interactions }} as interactions,
        {{ orders }} as orders,
        cast(coalesce({{ totals }}.orders_by_code, 0) as bigint) as orders_by_code,
        cast(coalesce({{ totals }}.orders_by_link, 0) as bigint) as orders_by_link,
        {{ revenue }} as revenue_usd,
        {{ gross_revenue }} as gross_revenue_usd,
        {{ new_customers }} as new_customers,
        {{ new_revenue }} as new_customer_revenue_usd,
        {{ commission }} as commission_usd,
        {{ commission_paid }} as commission_paid_usd,
        cast({{ commission }} - {{ commission_paid }} as numeric(18, 2)) as commission_outstanding_usd,
        {{ irm.cents(totals ~ '.emv_usd') }} as emv_usd,
        {{ irm.unit_cost(spend ~ ' * 1000', views) }} as cpm_usd,
        {{ irm.unit_cost(spend, interactions) }} as cpe_usd,
        {{ irm.unit_cost(spend, orders) }} as cpa_usd,
        {{ irm.unit_cost(spend, new_customers) }} as cost_per_new_customer_usd,
        {{ irm.safe_divide(revenue, spend) }} as roas,
        {{ irm.safe_divide(revenue ~ ' - ' ~ spend, spend) }} as roi
{%- endmacro %}
