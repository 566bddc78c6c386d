{#-
    json_array_rows(column, key, alias): a FROM-clause fragment that joins every row to the
    elements of the JSON array at `key` of `column` (one output row per element, none for an
    absent, null or non-array value). Each element is available as the JSON column `alias`
    and can be read with json_text(alias, 'field').

        from source
        {{ json_array_rows('source.payload', 'discount_codes', 'discount_code') }}
-#}
{% macro json_array_rows(column, key, alias) -%}
    {{ return(adapter.dispatch('json_array_rows', 'irm')(column, key, alias)) }}
{%- endmacro %}

{% macro default__json_array_rows(column, key, alias) -%}
    cross join lateral json_array_elements(({{ column }})::json -> '{{ key }}') as {{ alias }}_rows ({{ alias }})
{%- endmacro %}

{% macro duckdb__json_array_rows(column, key, alias) -%}
    cross join unnest(json_extract({{ column }}, '$.{{ key }}[*]')) as {{ alias }}_rows ({{ alias }})
{%- endmacro %}

{% macro postgres__json_array_rows(column, key, alias) -%}
    cross join lateral jsonb_array_elements(
        case
            when jsonb_typeof(({{ column }})::jsonb -> '{{ key }}') = 'array'
                then ({{ column }})::jsonb -> '{{ key }}'
            else '[]'::jsonb
        end
    ) as {{ alias }}_rows ({{ alias }})
{%- endmacro %}
