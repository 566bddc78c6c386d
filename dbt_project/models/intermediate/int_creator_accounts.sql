-- Which creator owns which platform account, from the current CRM export.
-- One row per account: should two creators claim the same account, the lowest creator_id
-- wins and `claiming_creators` says so (a warning test watches it).
-- YouTube accounts are keyed by channel id; Instagram and TikTok (keyed by username in the
-- CRM) join here later through the handle in int_account_snapshots.

with

creators as (

    select * from {{ ref('int_crm__creators_current') }}

),

youtube as (

    select
        'youtube:' || youtube_channel_id as account_id,
        'youtube' as platform,
        creator_id
    from creators
    where youtube_channel_id is not null

),

claims as (

    select * from youtube

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
