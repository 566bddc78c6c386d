{#-
    attribution_conflict_winner(): the var `attribution_conflict_winner` (which method decides
    when an order's promo code and tracked link name different contracts: SPEC 5.2), checked
    to be 'code' or 'link'; anything else fails the compilation with the value named.
-#}
{% macro attribution_conflict_winner() -%}
    {%- set winner = var('attribution_conflict_winner') -%}
    {%- if winner not in ('code', 'link') -%}
        {{ exceptions.raise_compiler_error(
            "var attribution_conflict_winner must be 'code' or 'link', not '" ~ winner ~ "'"
        ) }}
    {%- endif -%}
    {{ return(winner) }}
{%- endmacro %}
