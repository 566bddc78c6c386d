with

source as (select * from {{ raw_source('instagram', 'accounts') }}),

renamed as (

    select
        -- ids: the IG user id is stable; the username as received (int_account_snapshots
        -- compares it lower-case without a leading '@')
        {{ json_text('payload', 'id') }} as ig_user_id,
        coalesce({{ json_text('payload', 'username') }}, record_key) as username,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- profile
        {{ json_text('payload', 'name') }} as display_name,
        {{ json_text('payload', 'biography') }} as biography,

        -- counts (JSON numbers); absent = NULL
        cast({{ json_text('payload', 'followers_count') }} as bigint) as followers_count,
        cast({{ json_text('payload', 'follows_count') }} as bigint) as follows_count,
        cast({{ json_text('payload', 'media_count') }} as bigint) as media_count

    from source

)

select * from renamed
