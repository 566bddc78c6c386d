with

source as (select * from {{ raw_source('tiktok', 'videos') }}),

renamed as (

    select
        -- ids: int64 numbers above 2^53; record_key holds the exact digits as landed
        -- (never read through a floating-point type)
        record_key as video_id,
        -- the owner's username as landed
        coalesce(parent_key, {{ json_text('payload', 'username') }}) as username,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- video: create_time is Unix seconds
        {{ from_unix_seconds(json_text('payload', 'create_time')) }} as published_at,
        {{ json_text('payload', 'video_description') }} as video_description,
        {{ json_text('payload', 'region_code') }} as region_code,
        {{ json_fragment('payload', 'hashtag_names') }} as hashtag_names,

        -- counts (JSON numbers); absent = NULL
        cast({{ json_text('payload', 'view_count') }} as bigint) as view_count,
        cast({{ json_text('payload', 'like_count') }} as bigint) as like_count,
        cast({{ json_text('payload', 'comment_count') }} as bigint) as comment_count,
        cast({{ json_text('payload', 'share_count') }} as bigint) as share_count

    from source

)

select * from renamed
