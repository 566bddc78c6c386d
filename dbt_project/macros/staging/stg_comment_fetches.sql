{#-
    stg_comment_fetches('youtube'): the whole staging model of a platform's comment fetches
    (`raw.<source>_comment_fetches`), the same for YouTube and TikTok, so each
    `models/staging/<source>/stg_<source>__comment_fetches.sql` is this one call. A fetch
    record is the extractor's own (extractors/comments.py): `{"video_id", "status",
    "comments_listed", "complete", "cap"}`, one per post asked that day, keyed by the post's
    native id (TikTok's exact int64 digits). Staging shape: a `source` CTE, then `renamed`.
-#}
{% macro stg_comment_fetches(source_name) -%}
with

source as (select * from {{ irm.raw_source(source_name, 'comment_fetches') }}),

renamed as (

    select
        -- ids: the post whose comments were asked for (its native id, as landed)
        record_key as video_id,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- the listing: listed, comments_disabled or not_found; how many comments it kept and
        -- whether that was every comment it had (no cap reached, no quota stop)
        {{ irm.json_text('payload', 'status') }} as status,
        cast({{ irm.json_text('payload', 'comments_listed') }} as integer) as comments_listed,
        cast({{ irm.json_text('payload', 'complete') }} as boolean) as is_complete

    from source

)

select * from renamed
{%- endmacro %}
