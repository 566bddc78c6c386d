with

source as (select * from {{ raw_source('crm', 'payments') }}),

renamed as (

    select
        -- ids
        {{ empty_as_null(json_text('payload', 'payment_id')) }} as payment_id,
        {{ empty_as_null(json_text('payload', 'contract_id')) }} as contract_id,

        -- snapshot (each dt holds a full export)
        dt as snapshot_date,
        extracted_at,

        -- money
        cast({{ empty_as_null(json_text('payload', 'amount')) }} as numeric(18, 2)) as amount,
        upper({{ empty_as_null(json_text('payload', 'currency')) }}) as currency,

        -- status and dates
        lower({{ empty_as_null(json_text('payload', 'status')) }}) as status,
        -- what the payment pays: fee or commission (optional column: NULL from an older file)
        lower({{ empty_as_null(json_text('payload', 'purpose')) }}) as purpose,
        cast({{ empty_as_null(json_text('payload', 'due_on')) }} as date) as due_on,
        cast({{ empty_as_null(json_text('payload', 'paid_on')) }} as date) as paid_on

    from source

)

select * from renamed
