{#-
    empty_as_null(text_expression): NULL for an empty or blank string, the trimmed text
    otherwise. CRM exports mark a missing value with an empty cell (SPEC 3.2).
-#}
{% macro empty_as_null(text_expression) -%}
    nullif(trim({{ text_expression }}), '')
{%- endmacro %}
