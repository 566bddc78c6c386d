with

source as (select * from {{ raw_source('youtube', 'comments') }}),

renamed as (

    select
        -- ids: the comment thread's id (that of its top-level comment); the commented video
        record_key as comment_id,
        coalesce(parent_key, {{ json_text('payload', 'snippet.videoId') }}) as video_id,

        -- snapshot: the day's listing of the post's newest comments
        dt as snapshot_date,
        extracted_at,

        -- the top-level comment (textFormat=plainText: textDisplay carries no HTML)
        {{ json_text('payload', 'snippet.topLevelComment.snippet.authorDisplayName') }}
            as author_handle,
        {{ json_text('payload', 'snippet.topLevelComment.snippet.textDisplay') }} as text,
        cast(
            {{ json_text('payload', 'snippet.topLevelComment.snippet.publishedAt') }}
            as timestamp with time zone
        ) as published_at,

        -- counts: JSON numbers here, unlike video statistics; absent = NULL
        cast(
            {{ json_text('payload', 'snippet.topLevelComment.snippet.likeCount') }} as bigint
        ) as like_count,
        cast({{ json_text('payload', 'snippet.totalReplyCount') }} as bigint) as reply_count

    from source

)

select * from renamed
