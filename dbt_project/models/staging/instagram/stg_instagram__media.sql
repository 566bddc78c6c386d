with

source as (

    select * from {{ raw_source('instagram', 'media') }}

),

renamed as (

    select
        -- ids
        record_key as media_id,
        -- the owner's username (lower-case, no leading '@'): the item does not name its account
        lower(ltrim(coalesce(parent_key, {{ json_text('payload', 'username') }}), '@'))
            as username,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- media: timestamps look like 2026-03-01T12:00:00+0000
        cast({{ json_text('payload', 'timestamp') }} as timestamp with time zone) as published_at,
        {{ json_text('payload', 'caption') }} as caption,
        upper({{ json_text('payload', 'media_type') }}) as media_type,
        upper({{ json_text('payload', 'media_product_type') }}) as media_product_type,
        {{ json_text('payload', 'permalink') }} as permalink,

        -- counts: business_discovery returns a like count the owner hides as 0 (Graph API
        -- changelog, 2021-05-26), so 0 is unknown (NULL), as an absent key is
        nullif(cast({{ json_text('payload', 'like_count') }} as bigint), 0) as like_count,
        cast({{ json_text('payload', 'like_count') }} as bigint) as reported_like_count,
        cast({{ json_text('payload', 'comments_count') }} as bigint) as comments_count

    from source

)

select * from renamed
