{#-
    median(expression): the continuous median as an aggregate (NULLs ignored).
-#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'irm')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}
