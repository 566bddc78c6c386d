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

channels as ({{ snapshots_to_rederive('stg_youtube__channels') }}),
ig_accounts as ({{ snapshots_to_rederive('stg_instagram__accounts') }}),
tiktok_users as ({{ snapshots_to_rederive('stg_tiktok__users') }}),

youtube as (

    {{ youtube_account_rows('channels') }}

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
    from ig_accounts
    where ig_user_id is not null

),

tiktok as (

    -- the username is the account id (the Research API returns no user id)
    {{ tiktok_account_rows('tiktok_users') }}

),

unioned as (

    {{ union_all(['youtube', 'instagram', 'tiktok']) }}

)

-- a record delivered twice for the same day keeps its latest extraction
{{ latest_record('unioned', ['account_id', 'snapshot_date']) }}
