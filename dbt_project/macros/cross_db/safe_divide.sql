{#-
    safe_divide(numerator, denominator): a floating-point quotient that is NULL when the
    denominator is zero or NULL (never an error, never infinity). SPEC 5.2.
-#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'irm')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0))
{%- endmacro %}
