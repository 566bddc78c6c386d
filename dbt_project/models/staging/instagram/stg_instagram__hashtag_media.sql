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

        -- media and counts (absent = NULL): macros/staging/instagram_media_fields.sql, one
        -- typing for both tables of media; a hashtag search asks for no media_product_type.
        -- Here a like count the owner hides is left out, not sent as 0
        {{ instagram_media_fields(with_product_type=false) }}

    from source

)

select * from renamed
