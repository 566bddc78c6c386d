with

source as (select * from {{ raw_source('tiktok', 'comments') }}),

renamed as (

    select
        -- ids: int64 numbers above 2^53; record_key and parent_key (the video) hold their exact
        -- digits as landed (never read through a floating-point type)
        record_key as comment_id,
        parent_key as video_id,

        -- snapshot: the day's listing of the post's newest comments
        dt as snapshot_date,
        extracted_at,

        -- the comment: the Research API gives no author for comments
        cast(null as varchar) as author_handle,
        {{ json_text('payload', 'text') }} as text,
        {{ from_unix_seconds(json_text('payload', 'create_time')) }} as published_at,

        -- counts (JSON numbers); absent = NULL
        cast({{ json_text('payload', 'like_count') }} as bigint) as like_count,
        cast({{ json_text('payload', 'reply_count') }} as bigint) as reply_count

    from source

)

select * from renamed
