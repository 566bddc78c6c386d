-- Day-over-day follower change per account: each snapshot with a known count whose previous
-- calendar day also has one (a missed day or a hidden count breaks the chain). The input of
-- the follower_spike and follower_drop flags.

with

snapshots as (

    select
        account_id,
        platform,
        snapshot_date,
        followers
    from {{ ref('int_account_snapshots') }}
    where followers is not null

),

final as (

    select
        today.account_id,
        today.platform,
        today.snapshot_date,
        yesterday.followers as followers_before,
        today.followers,
        today.followers - yesterday.followers as followers_delta,
        {{ safe_divide('today.followers - yesterday.followers', 'yesterday.followers') }}
            as followers_delta_share
    from snapshots as today
    inner join snapshots as yesterday
        on
            today.account_id = yesterday.account_id
            and yesterday.snapshot_date = {{ add_days('today.snapshot_date', -1) }}

)

select * from final
