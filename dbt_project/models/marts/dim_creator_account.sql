-- One row per platform account with its latest snapshot, owning creator and tier (SPEC 5.1).

with

accounts as (select * from {{ ref('int_accounts_current') }}),
creator_accounts as (select * from {{ ref('int_creator_accounts') }}),

final as (

    select
        accounts.account_id,
        creator_accounts.creator_id,
        accounts.platform,
        accounts.handle,
        accounts.followers,
        accounts.following,
        accounts.posts_count,
        accounts.tier,
        accounts.last_refreshed_at,
        accounts.platform_account_id,
        accounts.display_name,
        accounts.first_snapshot_date,
        accounts.last_snapshot_date
    from accounts
    left join creator_accounts using (account_id)

)

select * from final
