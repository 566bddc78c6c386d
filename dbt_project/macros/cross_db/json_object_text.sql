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
    {{ irm.key_value_json_object('json_object', pairs, 'varchar') }}
{%- endmacro %}

{% macro postgres__json_object_text(pairs) -%}
    {{ irm.key_value_json_object('jsonb_build_object', pairs, 'text') }}
{%- endmacro %}

{#-
    key_value_json_object('jsonb_build_object', pairs, 'text'): the DuckDB and PostgreSQL
    rendering, which differ only in the function's name and the text type: a call taking
    key, value, key, value ..., cast to text.
-#}
{% macro key_value_json_object(function_name, pairs, text_type) -%}
    cast({{ function_name }}(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as {{ text_type }})
{%- endmacro %}
