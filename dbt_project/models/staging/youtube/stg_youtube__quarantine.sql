with

source as (

    select * from {{ raw_source('youtube', 'quarantine') }}

),

renamed as (

    select
        -- ids
        record_key as quarantine_key,
        'youtube' as source_name,

        -- landing
        dt as landed_on,
        extracted_at,

        -- why and where
        {{ json_text('payload', 'entity') }} as entity,
        {{ json_text('payload', 'reason') }} as reason,
        {{ json_text('payload', 'file') }} as file_name,
        cast({{ json_text('payload', 'line') }} as bigint) as line_number,

        -- the rejected record or row, as JSON text
        {{ json_fragment('payload', 'record') }} as record

    from source

)

select * from renamed
