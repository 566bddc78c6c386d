{{ history_by_day() }}

-- Every discount code of every landed shop order record (Shopify `discount_codes[]`), one row
-- per record and code; a record without codes has none. Incremental as
-- int_shop__order_versions (the last `refresh_lookback_days` days parsed, each day replaced
-- whole): int_shop__orders_current joins the codes of each order's latest record from here.

with

codes as ({{ snapshots_to_rederive('stg_shop__order_discount_codes') }}),

final as (

    select
        order_id,
        snapshot_date,
        extracted_at,
        discount_code
    from codes

)

select * from final
