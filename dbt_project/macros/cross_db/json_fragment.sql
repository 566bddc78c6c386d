{#-
    json_fragment(column, 'a.b'): the JSON value at a dotted key path serialised as JSON text
    (an object stays an object, an array an array; NULL when the key is absent). Used where a
    whole sub-document is kept, such as a quarantined record.
-#}
{% macro json_fragment(column, path) -%}
    {{ return(adapter.dispatch('json_fragment', 'irm')(column, path)) }}
{%- endmacro %}

{% macro default__json_fragment(column, path) -%}
    cast(json_query({{ column }}, '$.{{ path }}') as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__json_fragment(column, path) -%}
    cast(json_extract({{ column }}, '$.{{ path }}') as varchar)
{%- endmacro %}

{% macro postgres__json_fragment(column, path) -%}
    (({{ column }})::jsonb #> '{{ "{" ~ path.split(".") | join(",") ~ "}" }}')::text
{%- endmacro %}
