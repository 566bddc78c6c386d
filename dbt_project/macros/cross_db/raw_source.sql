{#-
    raw_source('youtube', 'channels'): the source relation of a raw landing table, or, when the
    loader has not created that table yet (a source the brand does not use, or a loader that
    predates the entity), an empty relation with the raw columns and a warning in the log.
    Staging models select from it instead of source() so one absent platform does not fail the
    whole build; the dependency on the source is recorded either way. A raw table of another
    shape than the landing's (raw.comment_scores, written by the scoring step) names its
    columns for the empty relation: `empty_columns=[('comment_key', 'text'), ...]`.
-#}
{% macro raw_source(source_name, table_name, empty_columns=none) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and model is defined and model.resource_type == 'model' -%}
        {%- set existing = adapter.get_relation(
            database=relation.database,
            schema=relation.schema,
            identifier=relation.identifier
        ) -%}
        {%- if existing is none -%}
            {{ log("irm: raw table " ~ relation ~ " does not exist yet; " ~ this ~ " reads it as empty", info=true) }}
            {{- return(irm.empty_raw_relation(relation.identifier, empty_columns)) -}}
        {%- endif -%}
    {%- endif -%}
    {{- return(relation) -}}
{%- endmacro %}

{% macro empty_raw_relation(identifier, columns=none) -%}
    (
        select
        {%- if columns %}
        {%- for name, data_type in columns %}
            cast(null as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
        {%- else %}
            cast(null as date) as dt,
            cast(null as timestamp with time zone) as extracted_at,
            cast(null as {{ dbt.type_string() }}) as record_key,
            cast(null as {{ dbt.type_string() }}) as parent_key,
            cast(null as {{ irm.type_json() }}) as payload
        {%- endif %}
        where 1 = 0
    ) as empty_{{ identifier }}
{%- endmacro %}

{% macro type_json() -%}
    {{ return(adapter.dispatch('type_json', 'irm')()) }}
{%- endmacro %}

{% macro default__type_json() -%}json{%- endmacro %}

{% macro postgres__type_json() -%}jsonb{%- endmacro %}
