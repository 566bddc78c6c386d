{#-
    stg_quarantine('youtube'): the whole staging model of a source's quarantine table
    (`raw.<source>_quarantine`), the same for every source, so each
    `models/staging/<source>/stg_<source>__quarantine.sql` is this one call. A quarantine row's
    payload is `{"entity", "reason", "file", "line", "record"}` (dbt_project/README.md, "What
    the loader and extractors must guarantee"); the model renames and types it, one row per
    rejected record, in the staging shape: a `source` CTE, then `renamed`.
-#}
{% macro stg_quarantine(source_name) -%}
with

source as (

    select * from {{ irm.raw_source(source_name, 'quarantine') }}

),

renamed as (

    select
        -- ids
        record_key as quarantine_key,
        '{{ source_name }}' as source_name,

        -- landing
        dt as landed_on,
        extracted_at,

        -- why and where
        {{ irm.json_text('payload', 'entity') }} as entity,
        {{ irm.json_text('payload', 'reason') }} as reason,
        {{ irm.json_text('payload', 'file') }} as file_name,
        cast({{ irm.json_text('payload', 'line') }} as bigint) as line_number,

        -- the rejected record or row, as JSON text
        {{ irm.json_fragment('payload', 'record') }} as record

    from source

)

select * from renamed
{%- endmacro %}
