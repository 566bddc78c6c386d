-- Follower growth per account per month (SPEC 5.1, 5.2), from the month's first to its last
-- snapshot with a known count: net_new_followers = followers_end - followers_start,
-- growth_rate = net_new_followers / followers_start (NULL when the start is 0).
-- creator_id: the creator the latest CRM export names for the account (int_creator_accounts).

with

creator_accounts as (select * from {{ ref('int_creator_accounts') }}),

known_followers as (

    select
        account_id,
        platform,
        snapshot_date,
        followers,
        {{ month_start('snapshot_date') }} as month
    from {{ ref('int_account_snapshots') }}
    where followers is not null

),

ranked as (

    select
        known_followers.*,
        row_number() over (
            partition by known_followers.account_id, known_followers.month
            order by known_followers.snapshot_date
        ) as first_rank,
        row_number() over (
            partition by known_followers.account_id, known_followers.month
            order by known_followers.snapshot_date desc
        ) as last_rank,
        count(*) over (
            partition by known_followers.account_id, known_followers.month
        ) as snapshots
    from known_followers

),

final as (

    select
        first_day.account_id,
        creator_accounts.creator_id,
        first_day.month,
        first_day.followers as followers_start,
        last_day.followers as followers_end,
        last_day.followers - first_day.followers as net_new_followers,
        {{ safe_divide('last_day.followers - first_day.followers', 'first_day.followers') }}
            as growth_rate,
        first_day.platform,
        first_day.snapshot_date as first_snapshot_date,
        last_day.snapshot_date as last_snapshot_date,
        first_day.snapshots
    from ranked as first_day
    inner join ranked as last_day
        on
            first_day.account_id = last_day.account_id
            and first_day.month = last_day.month
            and last_day.last_rank = 1
    left join creator_accounts
        on first_day.account_id = creator_accounts.account_id
    where first_day.first_rank = 1

)

select * from final
