with

source as (select * from {{ raw_source('youtube', 'search_results') }}),

renamed as (

    select
        -- ids: record_key is `<term>:<video id>` (a term is one word without ':'), its line's
        -- parent the term; a video several terms find has a row per term
        parent_key as term,
        split_part(record_key, ':', 2) as video_id,
        {{ json_text('payload', 'snippet.channelId') }} as channel_id,

        -- snapshot: the day's search of the term
        dt as snapshot_date,
        extracted_at,

        -- snippet: title and description come HTML-escaped, the description cut at 160
        -- characters (the full text is videos.list's)
        cast(
            {{ json_text('payload', 'snippet.publishedAt') }} as timestamp with time zone
        ) as published_at,
        {{ json_text('payload', 'snippet.channelTitle') }} as channel_title,
        {{ json_text('payload', 'snippet.title') }} as title,
        {{ json_text('payload', 'snippet.description') }} as description

    from source

)

select * from renamed
