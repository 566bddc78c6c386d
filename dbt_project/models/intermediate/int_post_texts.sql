{{ incremental_by_key('post_id', 'int_posts') }}

-- The texts of each post, one row per post: title, caption (YouTube description, Instagram
-- caption, TikTok video_description) and permalink from the post's latest landed version (the
-- snapshot int_posts takes its metrics from), and the normalised text caption checks read
-- (campaign ties, disclosures, brand safety, competitor mentions).
--
-- Texts are read here once per post instead of riding along every daily metric snapshot:
-- captions run to 2,200 characters and YouTube descriptions to 5,000 bytes, and carried on
-- each snapshot they made int_post_metric_snapshots run out of memory at the 1 GB limit.
--
-- Incremental, keyed by post: a run reads the texts only of the posts whose latest version
-- changed since the last run (new posts, new snapshots), so its cost follows new data; the
-- staging scan is limited to those versions' snapshot dates by the join. The post hook removes
-- posts that left int_posts (a re-loaded partition without them), so the table always equals a
-- full refresh.

with

latest_versions as (

    select
        post_id,
        platform,
        platform_post_id,
        account_username,
        metrics_snapshot_date as text_snapshot_date,
        metrics_extracted_at as text_extracted_at
    from {{ ref('int_posts') }}

),

changed as (

    -- every post on a full build; on an incremental run, the posts whose latest version is
    -- not the one already built
    select latest_versions.*
    from latest_versions
    {% if is_incremental() %}
    left join {{ this }} as built_texts using (post_id, text_snapshot_date, text_extracted_at)
    where built_texts.post_id is null
    {% endif %}

),

youtube as (

    select
        changed.*,
        videos.title,
        videos.description as caption,
        'https://www.youtube.com/watch?v=' || videos.video_id as permalink
    from changed
    inner join {{ ref('stg_youtube__videos') }} as videos
        on {{ is_post_version('changed', 'videos', 'youtube', 'video_id') }}

),

instagram as (

    select
        changed.*,
        cast(null as text) as title,
        media.caption,
        media.permalink
    from changed
    inner join {{ ref('stg_instagram__media') }} as media
        on {{ is_post_version('changed', 'media', 'instagram', 'media_id') }}

),

tiktok as (

    select
        changed.*,
        cast(null as text) as title,
        videos.video_description as caption,
        -- the owner's username as the warehouse compares it (int_post_metric_snapshots)
        'https://www.tiktok.com/@' || changed.account_username || '/video/' || videos.video_id
            as permalink
    from changed
    inner join {{ ref('stg_tiktok__videos') }} as videos
        on {{ is_post_version('changed', 'videos', 'tiktok', 'video_id') }}

),

unioned as (

    {{ union_all(['youtube', 'instagram', 'tiktok']) }}

),

joined as (

    select
        unioned.*,
        -- the text a viewer reads first: the title (YouTube) then the caption / description
        coalesce(unioned.title || ' ', '') || coalesce(unioned.caption, '') as post_text
    from unioned

),

final as (

    select
        post_id,
        text_snapshot_date,
        text_extracted_at,
        title,
        caption,
        permalink,
        post_text,
        -- normalised for whole-word token matching (macros/text/text_tokens.sql)
        {{ normalize_text('post_text') }} as match_text,
        {{ normalize_text('left(post_text, ' ~ var('disclosure_visible_chars') ~ ')') }}
            as visible_match_text
    from joined

)

select * from final
