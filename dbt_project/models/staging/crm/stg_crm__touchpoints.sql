with

source as (select * from {{ raw_source('crm', 'touchpoints') }}),

renamed as (

    select
        -- ids
        {{ empty_as_null(json_text('payload', 'touchpoint_id')) }} as touchpoint_id,
        {{ empty_as_null(json_text('payload', 'creator_id')) }} as creator_id,

        -- snapshot (each dt holds a full export)
        dt as snapshot_date,
        extracted_at,

        -- the contact
        lower({{ empty_as_null(json_text('payload', 'channel')) }}) as channel,
        lower({{ empty_as_null(json_text('payload', 'direction')) }}) as direction,

        -- timestamps (ISO 8601 with an offset)
        cast(
            {{ empty_as_null(json_text('payload', 'occurred_at')) }} as timestamp with time zone
        ) as occurred_at,
        cast(
            {{ empty_as_null(json_text('payload', 'responded_at')) }} as timestamp with time zone
        ) as responded_at

    from source

)

select * from renamed
