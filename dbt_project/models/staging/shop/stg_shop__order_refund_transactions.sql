-- One row per transaction of a refund of an order record (Shopify `refunds[].transactions[]`,
-- listening_api_shapes.md 4.2); an order record without refunds has no row. The amount is a
-- decimal string in the order's currency; refunded money is the sum of the transactions of
-- kind `refund` with status `success` (int_shop__orders_current).

with

source as (select * from {{ raw_source('shop', 'orders') }}),

renamed as (

    select
        -- ids
        source.record_key as order_id,
        {{ json_text('source.refund', 'id') }} as refund_id,
        {{ json_text('refund_transaction', 'id') }} as refund_transaction_id,

        -- extraction
        source.dt as snapshot_date,
        source.extracted_at,

        -- the transaction: kind (refund, ...), status (success, failure, pending, error)
        lower({{ json_text('refund_transaction', 'kind') }}) as transaction_kind,
        lower({{ json_text('refund_transaction', 'status') }}) as transaction_status,
        cast(
            {{ json_text('refund_transaction', 'processed_at') }} as timestamp with time zone
        ) as processed_at,

        -- money: a decimal string in the transaction's currency
        cast({{ json_text('refund_transaction', 'amount') }} as numeric(18, 2)) as amount,
        upper({{ json_text('refund_transaction', 'currency') }}) as currency

    from {{ json_array_rows(
        json_array_rows('source', 'source.payload', 'refunds', 'refund'),
        'source.refund', 'transactions', 'refund_transaction'
    ) }}

)

select * from renamed
