with

source as (select * from {{ raw_source('shop', 'orders') }}),

renamed as (

    select
        -- ids
        record_key as order_id,
        {{ json_text('payload', 'name') }} as order_name,
        -- NULL for a guest checkout (`customer` null)
        {{ json_text('payload', 'customer.id') }} as customer_id,

        -- extraction
        dt as snapshot_date,
        extracted_at,

        -- timestamps (ISO 8601 with an offset)
        cast({{ json_text('payload', 'created_at') }} as timestamp with time zone) as created_at,
        cast(
            {{ json_text('payload', 'cancelled_at') }} as timestamp with time zone
        ) as cancelled_at,

        -- status
        lower({{ json_text('payload', 'financial_status') }}) as financial_status,

        -- the visit: the shop page it began on and the page it came from (URLs as sent)
        {{ json_text('payload', 'landing_site') }} as landing_site,
        {{ json_text('payload', 'referring_site') }} as referring_site,

        -- money: total_price is a decimal string in the order's currency
        cast({{ json_text('payload', 'total_price') }} as numeric(18, 2)) as total_price,
        upper({{ json_text('payload', 'currency') }}) as currency

    from source

)

select * from renamed
