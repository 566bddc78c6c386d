-- Platform accounts per snapshot date, in one shape for every platform.
-- Each platform is one CTE, unioned at the end (Instagram and TikTok join here later).

with

youtube as (

    select
        'youtube:' || channel_id as account_id,
        'youtube' as platform,
        channel_id as platform_account_id,
        snapshot_date,
        extracted_at,
        handle,
        title as display_name,
        subscriber_count as followers,
        cast(null as bigint) as following,
        video_count as posts_count
    from {{ ref('int_youtube__channel_snapshots') }}

),

unioned as (

    select * from youtube

)

select * from unioned
