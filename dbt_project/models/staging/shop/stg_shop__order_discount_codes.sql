-- One row per discount code of an order record (Shopify `discount_codes[]`); an order without
-- codes has no row.

with

source as (select * from {{ raw_source('shop', 'orders') }}),

renamed as (

    select
        -- ids
        source.record_key as order_id,

        -- extraction
        source.dt as snapshot_date,
        source.extracted_at,

        -- the code as typed at checkout, its amount (decimal string) and type
        {{ json_text('discount_code', 'code') }} as discount_code,
        cast({{ json_text('discount_code', 'amount') }} as numeric(18, 2)) as discount_amount,
        lower({{ json_text('discount_code', 'type') }}) as discount_type

    from {{ json_array_rows('source', 'source.payload', 'discount_codes', 'discount_code') }}

)

select * from renamed
