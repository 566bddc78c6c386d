with

source as (select * from {{ raw_source('tiktok', 'users') }}),

renamed as (

    select
        -- ids: the Research API returns no user id, so the username is the key: the roster's
        -- username as the extractor asked for it (int_account_snapshots compares it lower-case
        -- without a leading '@')
        record_key as username,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- profile
        {{ json_text('payload', 'display_name') }} as display_name,
        {{ json_text('payload', 'bio_description') }} as bio_description,
        cast({{ json_text('payload', 'is_verified') }} as boolean) as is_verified,

        -- counts (JSON numbers); absent = NULL
        cast({{ json_text('payload', 'follower_count') }} as bigint) as follower_count,
        cast({{ json_text('payload', 'following_count') }} as bigint) as following_count,
        cast({{ json_text('payload', 'likes_count') }} as bigint) as likes_count,
        cast({{ json_text('payload', 'video_count') }} as bigint) as video_count

    from source

)

select * from renamed
