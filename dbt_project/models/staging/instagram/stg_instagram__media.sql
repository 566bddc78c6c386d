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

        -- media and counts (absent = NULL): macros/staging/instagram_media_fields.sql, one
        -- typing for both tables of media. A like count the owner hides comes as 0:
        -- int_post_metric_snapshots reads it as unknown
        {{ instagram_media_fields() }}

    from source

)

select * from renamed
