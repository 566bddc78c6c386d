-- One row per platform account with its latest snapshot, owning creator and tier (SPEC 5.1).

with

snapshots as (

    select * from {{ ref('int_account_snapshots') }}

),

creator_accounts as (

    select * from {{ ref('int_creator_accounts') }}

),

tiers as (

    select * from {{ ref('tiers') }}

),

latest as (

    select
        snapshots.*,
        row_number() over (
            partition by snapshots.account_id
            order by snapshots.snapshot_date desc, snapshots.extracted_at desc
        ) as snapshot_rank
    from snapshots

),

final as (

    select
        latest.account_id,
        creator_accounts.creator_id,
        latest.platform,
        latest.handle,
        latest.followers,
        latest.following,
        latest.posts_count,
        tiers.tier,
        latest.extracted_at as last_refreshed_at,
        latest.platform_account_id,
        latest.display_name,
        latest.snapshot_date as last_snapshot_date
    from latest
    left join creator_accounts
        on latest.account_id = creator_accounts.account_id
    left join tiers
        on
            latest.followers >= tiers.min_followers
            and (latest.followers < tiers.max_followers or tiers.max_followers is null)
    where latest.snapshot_rank = 1

)

select * from final
