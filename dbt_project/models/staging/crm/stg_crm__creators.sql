with

source as (select * from {{ raw_source('crm', 'creators') }}),

renamed as (

    select
        -- ids
        {{ empty_as_null(json_text('payload', 'creator_id')) }} as creator_id,

        -- snapshot (each dt holds a full export)
        dt as snapshot_date,
        extracted_at,

        -- attributes (an empty cell is NULL)
        {{ empty_as_null(json_text('payload', 'display_name')) }} as display_name,
        {{ empty_as_null(json_text('payload', 'email')) }} as email,
        {{ empty_as_null(json_text('payload', 'manager')) }} as manager,
        lower({{ empty_as_null(json_text('payload', 'status')) }}) as status,
        upper({{ empty_as_null(json_text('payload', 'country')) }}) as country,
        {{ empty_as_null(json_text('payload', 'niche')) }} as niche,

        -- platform accounts
        {{ empty_as_null(json_text('payload', 'youtube_channel_id')) }} as youtube_channel_id,
        {{ empty_as_null(json_text('payload', 'instagram_username')) }} as instagram_username,
        {{ empty_as_null(json_text('payload', 'tiktok_username')) }} as tiktok_username,

        -- dates
        cast({{ empty_as_null(json_text('payload', 'partnered_on')) }} as date) as partnered_on

    from source

)

select * from renamed
