{#-
    latest_crm_export('stg_crm__campaigns', 'campaign_id'): the whole of an
    `int_crm__<entity>_current` model. Each CRM export (`dt`) holds a complete file, so the
    current rows are those of the latest export (a row missing from it has been removed); an id
    repeated within that export keeps its latest read (macros/latest_record.sql). The columns
    are the staging model's, in its order. Rows without an id are dropped, unless
    drop_rows_without_key=false keeps one (creators: the not_null test then fails the build
    instead of a creator silently vanishing).

    The latest date is read from the staging model itself, not from the `exports` CTE: DuckDB
    materializes a CTE read twice, which JSON-parsed every export ever landed before keeping
    the latest (14.5 M touchpoints at medium scale, 181 days: mart_relationship_health took
    7.7 s of a daily build, 0.3 s this way).
-#}
{% macro latest_crm_export(staging_model, key, drop_rows_without_key=true) -%}
with

exports as (select * from {{ ref(staging_model) }}),

current_export as (

    select * from exports
    where
        snapshot_date = (select max(snapshot_date) from {{ ref(staging_model) }})
        {%- if drop_rows_without_key %}
        and {{ key }} is not null
        {%- endif %}

)

{{ irm.latest_record('current_export', [key]) }}
{%- endmacro %}
