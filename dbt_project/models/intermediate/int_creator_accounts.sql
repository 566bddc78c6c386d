-- Which creator owns which platform account, from the current CRM export: YouTube by channel
-- id, Instagram by username (the account int_account_handles gives it: its latest snapshot's),
-- TikTok by username (its account id). Usernames are compared lower-case without a leading
-- '@' (macros/text/normalize_handle.sql): the CRM's "@Ana_Runs" names ana_runs. One row per
-- account: should two creators claim the same account, the lowest creator_id wins and
-- `claiming_creators` says so (a warning test watches it).

with

creators as (select * from {{ ref('int_crm__creators_current') }}),
handles as (select * from {{ ref('int_account_handles') }}),

youtube as (

    select
        'youtube:' || youtube_channel_id as account_id,
        'youtube' as platform,
        creator_id
    from creators
    where youtube_channel_id is not null

),

instagram as (

    select
        handles.account_id,
        'instagram' as platform,
        creators.creator_id
    from creators
    inner join handles
        on
            handles.platform = 'instagram'
            and {{ normalize_handle('creators.instagram_username') }} = handles.handle

),

tiktok as (

    select
        'tiktok:' || {{ normalize_handle('tiktok_username') }} as account_id,
        'tiktok' as platform,
        creator_id
    from creators
    where tiktok_username is not null

),

claims as (

    select * from youtube
    union all
    select * from instagram
    union all
    select * from tiktok

),

final as (

    select
        account_id,
        platform,
        min(creator_id) as creator_id,
        count(distinct creator_id) as claiming_creators
    from claims
    group by account_id, platform

)

select * from final
