-- One row per platform account: its latest snapshot and follower tier (dim_creator_account
-- adds the owning creator). The tier comes from the `tiers` seed: lower bound inclusive,
-- upper bound exclusive, no upper bound for the top tier; unknown followers have no tier.

with

snapshots as (select * from {{ ref('int_account_snapshots') }}),

latest as (

    {{ latest_record('snapshots', ['account_id'], 'snapshot_date desc, extracted_at desc') }}

),

spans as (

    select
        account_id,
        min(snapshot_date) as first_snapshot_date
    from snapshots
    group by account_id

),

final as (

    select
        latest.account_id,
        latest.platform,
        latest.platform_account_id,
        latest.handle,
        latest.display_name,
        latest.followers,
        latest.following,
        latest.posts_count,
        tiers.tier,
        latest.extracted_at as last_refreshed_at,
        spans.first_snapshot_date,
        latest.snapshot_date as last_snapshot_date
    from latest
    inner join spans using (account_id)
    {{ join_tiers('latest.followers') }}

)

select * from final
