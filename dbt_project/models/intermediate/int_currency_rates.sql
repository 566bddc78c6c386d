{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- Conversion of every currency of the `currency_rates` seed into the reporting currency
-- (var `reporting_currency`, USD by default): amount_reporting = amount * rate_to_reporting.
-- The seed quotes each currency in USD, so a non-USD reporting currency divides by its own
-- USD rate. An amount in a currency missing from the seed converts to NULL (a test warns).

with

rates as (select * from {{ ref('currency_rates') }}),

reporting as (

    select usd_per_unit
    from rates
    where currency = '{{ var("reporting_currency") }}'

),

final as (

    select
        rates.currency,
        rates.usd_per_unit,
        rates.rate_date,
        cast(rates.usd_per_unit / reporting.usd_per_unit as numeric(20, 10)) as rate_to_reporting
    from rates
    cross join reporting

)

select * from final
