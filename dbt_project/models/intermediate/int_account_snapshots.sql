{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='snapshot_date',
        on_schema_change='append_new_columns'
    )
}}

-- Platform accounts per snapshot date, in one shape for every platform: the follower history
-- (no platform API returns history; it exists because the pipeline snapshots daily).
-- Incremental: each run re-derives the last `refresh_lookback_days` snapshot dates, each
-- day replaced whole (delete+insert by snapshot_date: an account missing from a re-loaded
-- partition disappears from that day, as in a full refresh; the grain account x date is a
-- data test). A record delivered twice for the same day keeps its
-- latest extraction.
--
-- account_id: `youtube:<channel id>`, `instagram:<IG user id>` (business_discovery `id`),
-- `tiktok:<username>` (the Research API returns no user id). Instagram and TikTok usernames
-- are compared lower-case without a leading '@' (macros/text/normalize_handle.sql).

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
        -- a hidden subscriber count is unknown, also when an older response still sends "0"
        case
            when is_subscriber_count_hidden then null
            else subscriber_count
        end as followers,
        cast(null as bigint) as following,
        video_count as posts_count
    from {{ ref('stg_youtube__channels') }}
    where {{ incremental_lookback('snapshot_date') }}

),

instagram as (

    select
        'instagram:' || ig_user_id as account_id,
        'instagram' as platform,
        ig_user_id as platform_account_id,
        snapshot_date,
        extracted_at,
        {{ normalize_handle('username') }} as handle,
        display_name,
        followers_count as followers,
        follows_count as following,
        media_count as posts_count
    from {{ ref('stg_instagram__accounts') }}
    where
        ig_user_id is not null
        and {{ incremental_lookback('snapshot_date') }}

),

tiktok_users as (

    select
        *,
        {{ normalize_handle('username') }} as handle
    from {{ ref('stg_tiktok__users') }}
    where {{ incremental_lookback('snapshot_date') }}

),

tiktok as (

    -- the username is the account id (the Research API returns no user id)
    select
        'tiktok:' || handle as account_id,
        'tiktok' as platform,
        handle as platform_account_id,
        snapshot_date,
        extracted_at,
        handle,
        display_name,
        follower_count as followers,
        following_count as following,
        video_count as posts_count
    from tiktok_users

),

unioned as (

    select * from youtube
    union all
    select * from instagram
    union all
    select * from tiktok

),

ranked as (

    select
        unioned.*,
        row_number() over (
            partition by unioned.account_id, unioned.snapshot_date
            order by unioned.extracted_at desc
        ) as extraction_rank
    from unioned

),

final as (

    select
        account_id,
        platform,
        platform_account_id,
        snapshot_date,
        extracted_at,
        handle,
        display_name,
        followers,
        following,
        posts_count
    from ranked
    where extraction_rank = 1

)

select * from final
