with

source as (select * from {{ raw_source('crm', 'campaigns') }}),

renamed as (

    select
        -- ids
        {{ empty_as_null(json_text('payload', 'campaign_id')) }} as campaign_id,

        -- snapshot (each dt holds a full export)
        dt as snapshot_date,
        extracted_at,

        -- attributes (an empty cell is NULL)
        {{ empty_as_null(json_text('payload', 'name')) }} as campaign_name,
        {{ empty_as_null(json_text('payload', 'brand')) }} as brand,
        {{ empty_as_null(json_text('payload', 'brand_handle')) }} as brand_handle,
        lower({{ empty_as_null(json_text('payload', 'objective')) }}) as objective,
        {{ empty_as_null(json_text('payload', 'tracking_hashtag')) }} as tracking_hashtag,

        -- dates
        cast({{ empty_as_null(json_text('payload', 'starts_on')) }} as date) as starts_on,
        cast({{ empty_as_null(json_text('payload', 'ends_on')) }} as date) as ends_on,

        -- money
        cast({{ empty_as_null(json_text('payload', 'budget')) }} as numeric(18, 2)) as budget,
        upper({{ empty_as_null(json_text('payload', 'currency')) }}) as currency

    from source

)

select * from renamed
