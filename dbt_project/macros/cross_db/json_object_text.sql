{#-
    json_object_text([('key', expression), ...]): a JSON object serialised as text, built by the
    database (values are escaped properly; NULL becomes JSON null; arrays from array_agg become
    JSON arrays). Used for the `evidence` of mart_quality_flags. Cast dates and timestamps to
    text first so both targets print them the same way.
-#}
{% macro json_object_text(pairs) -%}
    {{ return(adapter.dispatch('json_object_text', 'irm')(pairs)) }}
{%- endmacro %}

{% macro default__json_object_text(pairs) -%}
    cast(json_object(
        {%- for key, expression in pairs %}
        '{{ key }}' value {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
        null on null
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__json_object_text(pairs) -%}
    cast(json_object(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro postgres__json_object_text(pairs) -%}
    cast(jsonb_build_object(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as text)
{%- endmacro %}
