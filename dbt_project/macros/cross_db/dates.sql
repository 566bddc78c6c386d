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
