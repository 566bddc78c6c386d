{#-
    Date arithmetic in whole days, portable between DuckDB and PostgreSQL (both accept
    `date + integer` and `date - date`; other adapters can override by dispatch).
-#}
{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'irm')(date_expression, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expression, days) -%}
    cast(({{ date_expression }}) + ({{ days }}) as date)
{%- endmacro %}

{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'irm')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    cast(({{ end_date }}) - ({{ start_date }}) as integer)
{%- endmacro %}

{#-
    months_between(start_date, end_date): whole calendar months from start_date to end_date,
    as PostgreSQL's age() counts them: a month is complete when the end date's day of the month
    reaches the start date's (2026-01-15 -> 2026-03-14: 1; -> 2026-03-15: 2; 2026-01-31 ->
    2026-02-28: 0). Meant for start_date <= end_date (the callers give NULL otherwise). Both
    targets have `extract(... from date)` (DuckDB a bigint, PostgreSQL a numeric: cast once).
-#}
{% macro months_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('months_between', 'irm')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__months_between(start_date, end_date) -%}
    cast(
        12 * (extract(year from ({{ end_date }})) - extract(year from ({{ start_date }})))
        + (extract(month from ({{ end_date }})) - extract(month from ({{ start_date }})))
        - case
            when extract(day from ({{ end_date }})) < extract(day from ({{ start_date }})) then 1
            else 0
        end
        as integer
    )
{%- endmacro %}

{% macro month_start(date_expression) -%}
    {{ return(adapter.dispatch('month_start', 'irm')(date_expression)) }}
{%- endmacro %}

{% macro default__month_start(date_expression) -%}
    cast(date_trunc('month', {{ date_expression }}) as date)
{%- endmacro %}

{% macro from_unix_seconds(seconds) -%}
    {{ return(adapter.dispatch('from_unix_seconds', 'irm')(seconds)) }}
{%- endmacro %}

{% macro default__from_unix_seconds(seconds) -%}
    to_timestamp(cast({{ seconds }} as bigint))
{%- endmacro %}
