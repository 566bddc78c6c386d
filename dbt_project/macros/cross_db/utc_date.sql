{#-
    utc_date(timestamp_tz): the calendar date (UTC) of a timestamp with time zone,
    independent of the session's time zone.
-#}
{% macro utc_date(timestamp_tz) -%}
    {{ return(adapter.dispatch('utc_date', 'irm')(timestamp_tz)) }}
{%- endmacro %}

{% macro default__utc_date(timestamp_tz) -%}
    cast(({{ timestamp_tz }} at time zone 'UTC') as date)
{%- endmacro %}
