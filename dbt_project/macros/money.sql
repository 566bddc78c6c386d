{#-
    Money in the marts is a decimal (SPEC 5.1; issue 22: a BI tool sums and formats it as
    money, never as a float that prints 0.30000000000000004). Two shapes, one rule each:
    amounts to the cent, unit costs (CPM, CPE, CPA) to a hundredth of a cent, both rounded
    half away from zero from an exact decimal, the way `round` on a numeric does in DuckDB and
    Postgres alike.
-#}

{#-
    cents(amount): an amount in USD as numeric(18, 2). A double (EMV, an estimate from a rate
    card) is first fixed at 12 decimals, so both databases round the same decimal.
-#}
{% macro cents(amount) -%}
    cast(round(cast({{ amount }} as numeric(38, 12)), 2) as numeric(18, 2))
{%- endmacro %}

{#-
    unit_cost(spend, units): spend per unit as numeric(18, 4); NULL when the units are zero or
    unknown (safe_divide). A cost per interaction is often a fraction of a cent, hence four
    decimals. DuckDB divides a decimal in double precision: a quotient exactly halfway at the
    fifth decimal may round down there (Postgres divides exactly).
-#}
{% macro unit_cost(spend, units) -%}
    cast(round(cast({{ irm.safe_divide(spend, units) }} as numeric(38, 12)), 4) as numeric(18, 4))
{%- endmacro %}
