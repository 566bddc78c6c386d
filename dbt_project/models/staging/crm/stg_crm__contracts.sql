with

source as (select * from {{ raw_source('crm', 'contracts') }}),

renamed as (

    select
        -- ids
        {{ empty_as_null(json_text('payload', 'contract_id')) }} as contract_id,
        {{ empty_as_null(json_text('payload', 'campaign_id')) }} as campaign_id,
        {{ empty_as_null(json_text('payload', 'creator_id')) }} as creator_id,

        -- snapshot (each dt holds a full export)
        dt as snapshot_date,
        extracted_at,

        -- money
        cast({{ empty_as_null(json_text('payload', 'fee')) }} as numeric(18, 2)) as fee,
        cast(
            {{ empty_as_null(json_text('payload', 'product_cost')) }} as numeric(18, 2)
        ) as product_cost,
        upper({{ empty_as_null(json_text('payload', 'currency')) }}) as currency,
        -- a fraction of the net attributed revenue (optional column: NULL from an older file)
        cast(
            {{ empty_as_null(json_text('payload', 'commission_rate')) }} as numeric(9, 6)
        ) as commission_rate,

        -- terms
        {{ empty_as_null(json_text('payload', 'deliverables')) }} as deliverables,
        {{ empty_as_null(json_text('payload', 'promo_code')) }} as promo_code,
        -- the tracked link's parameters (optional columns: NULL from an older file)
        {{ empty_as_null(json_text('payload', 'utm_campaign')) }} as utm_campaign,
        {{ empty_as_null(json_text('payload', 'utm_content')) }} as utm_content,
        cast(
            lower({{ empty_as_null(json_text('payload', 'exclusive')) }}) as boolean
        ) as is_exclusive,

        -- dates
        cast({{ empty_as_null(json_text('payload', 'due_on')) }} as date) as due_on,
        cast({{ empty_as_null(json_text('payload', 'signed_on')) }} as date) as signed_on

    from source

)

select * from renamed
