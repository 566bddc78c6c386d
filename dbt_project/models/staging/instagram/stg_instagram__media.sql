with

source as (select * from {{ raw_source('instagram', 'media') }}),

renamed as (

    select
        -- ids
        record_key as media_id,
        -- the owner's username as landed: the item does not name its account
        coalesce(parent_key, {{ json_text('payload', 'username') }}) as username,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- media: timestamps look like 2026-03-01T12:00:00+0000
        cast({{ json_text('payload', 'timestamp') }} as timestamp with time zone) as published_at,
        {{ json_text('payload', 'caption') }} as caption,
        upper({{ json_text('payload', 'media_type') }}) as media_type,
        upper({{ json_text('payload', 'media_product_type') }}) as media_product_type,
        {{ json_text('payload', 'permalink') }} as permalink,

        -- counts as returned (JSON numbers); absent = NULL. A like count the owner hides comes
        -- as 0: int_post_metric_snapshots reads it as unknown
        cast({{ json_text('payload', 'like_count') }} as bigint) as like_count,
        cast({{ json_text('payload', 'comments_count') }} as bigint) as comments_count

    from source

)

select * from renamed
