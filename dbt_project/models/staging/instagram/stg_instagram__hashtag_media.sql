with

source as (select * from {{ raw_source('instagram', 'hashtag_media') }}),

renamed as (

    select
        -- ids: record_key is `<term>:<media id>` (a term is one word without ':'), its line's
        -- parent the term (the hashtag searched); hashtag media name no author, so there is
        -- no username
        parent_key as term,
        split_part(record_key, ':', 2) as media_id,

        -- snapshot: the day's recent media of the term's hashtag
        dt as snapshot_date,
        extracted_at,

        -- media: timestamps look like 2026-03-01T12:00:00+0000
        cast({{ json_text('payload', 'timestamp') }} as timestamp with time zone) as published_at,
        {{ json_text('payload', 'caption') }} as caption,
        upper({{ json_text('payload', 'media_type') }}) as media_type,
        {{ json_text('payload', 'permalink') }} as permalink,

        -- counts as returned (JSON numbers); absent = NULL (here a like count the owner hides
        -- is left out, not sent as 0)
        cast({{ json_text('payload', 'like_count') }} as bigint) as like_count,
        cast({{ json_text('payload', 'comments_count') }} as bigint) as comments_count

    from source

)

select * from renamed
