{#-
    json_text(column, 'a.b.c'): the value at a dotted key path of a JSON column, as text
    (NULL when the key is absent or JSON null). Keys must be plain identifiers.
-#}
{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'irm')(column, path)) }}
{%- endmacro %}

{% macro default__json_text(column, path) -%}
    json_value({{ column }}, '$.{{ path }}')
{%- endmacro %}

{% macro duckdb__json_text(column, path) -%}
    json_extract_string({{ column }}, '$.{{ path }}')
{%- endmacro %}

{% macro postgres__json_text(column, path) -%}
    ({{ column }}::jsonb #>> '{{ "{" ~ path.split(".") | join(",") ~ "}" }}')
{%- endmacro %}
