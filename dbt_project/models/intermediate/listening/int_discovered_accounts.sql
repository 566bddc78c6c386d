-- The accounts listening found off the roster (SPEC 3.4), one row per account: the profile as
-- last looked up (YouTube channels.list, TikTok user/info; Instagram's hashtag media name no
-- author, so none from there), when listening first and last found it, and the largest
-- follower jump between two consecutive lookups. An account found is looked up on each day one
-- of its posts is found, so the lookups are irregular: a jump is measured between consecutive
-- ones whatever their distance (organic growth of a few tenths of a percent a day stays far
-- below var `discovery_follower_jump_share`; bought followers arrive in one day).
-- An account on the roster (int_accounts_current) is not a candidate, also when it was
-- looked up before the brand signed it.

with

channels as (select * from {{ ref('stg_youtube__discovered_channels') }}),
tiktok_users as (select * from {{ ref('stg_tiktok__discovered_users') }}),

youtube as (

    {{ youtube_account_rows('channels') }}

),

tiktok as (

    {{ tiktok_account_rows('tiktok_users') }}

),

unioned as (

    {{ union_all(['youtube', 'tiktok']) }}

),

-- a lookup delivered twice for the same day keeps its latest extraction
daily as (

    {{ latest_record('unioned', ['account_id', 'snapshot_date']) }}

),

off_roster as (

    select daily.*
    from daily
    where daily.account_id not in (
            select roster.account_id from {{ ref('int_accounts_current') }} as roster
        )

),

steps as (

    select
        account_id,
        snapshot_date,
        lag(snapshot_date) over (partition by account_id order by snapshot_date) as previous_date,
        {{ safe_divide(
            'followers - lag(followers) over (partition by account_id order by snapshot_date)',
            'lag(followers) over (partition by account_id order by snapshot_date)'
        ) }} as follower_change_share
    from off_roster

),

largest_jump as (

    {{ latest_record(
        'steps', ['account_id'], order_by='follower_change_share desc nulls last, snapshot_date'
    ) }}

),

seen as (

    select
        account_id,
        min(snapshot_date) as first_seen,
        max(snapshot_date) as last_seen,
        count(*) as lookups
    from off_roster
    group by account_id

),

last_lookup as (

    {{ latest_record(
        'off_roster', ['account_id'], order_by='snapshot_date desc, extracted_at desc'
    ) }}

),

final as (

    select
        last_lookup.account_id,
        last_lookup.platform,
        last_lookup.platform_account_id,
        last_lookup.handle,
        last_lookup.display_name,
        last_lookup.followers,
        last_lookup.posts_count,
        seen.first_seen,
        seen.last_seen,
        seen.lookups,
        largest_jump.follower_change_share as largest_follower_jump_share,
        largest_jump.previous_date as largest_follower_jump_from,
        largest_jump.snapshot_date as largest_follower_jump_to
    from last_lookup
    inner join seen using (account_id)
    left join largest_jump using (account_id)

)

select * from final
