-- Which creator owns which platform account, from the current CRM export: YouTube by channel
-- id, Instagram by username (resolved to the IG user id through the latest account snapshot
-- with that username), TikTok by username. Usernames are compared lower-case without a
-- leading '@'. One row per account: should two creators claim the same account, the lowest
-- creator_id wins and `claiming_creators` says so (a warning test watches it).

with

creators as (

    select * from {{ ref('int_crm__creators_current') }}

),

instagram_handles as (

    select
        handle,
        account_id,
        row_number() over (
            partition by handle
            order by snapshot_date desc, extracted_at desc
        ) as handle_rank
    from {{ ref('int_account_snapshots') }}
    where platform = 'instagram'

),

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
        instagram_handles.account_id,
        'instagram' as platform,
        creators.creator_id
    from creators
    inner join instagram_handles
        on
            lower(ltrim(creators.instagram_username, '@')) = instagram_handles.handle
            and instagram_handles.handle_rank = 1

),

tiktok as (

    select
        'tiktok:' || lower(ltrim(tiktok_username, '@')) as account_id,
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
