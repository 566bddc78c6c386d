-- Posts of every platform in one shape with their latest metrics and the owning account.
-- Instagram media name only a username: the account id is the one int_account_handles gives
-- that username (its latest snapshot's). account_id is NULL when the account was never
-- snapshotted (a username not in the roster, or a channel whose first snapshot a quota stop
-- held back): such posts stay out of fct_post, and a warning test counts them. The texts
-- (title, caption, the normalised text caption checks read) are in int_post_texts, one row per
-- post, joined where needed.

with

latest as (select * from {{ ref('int_post_latest_snapshots') }}),

tracked_accounts as (

    select distinct account_id
    from {{ ref('int_account_snapshots') }}

),

handles as (select * from {{ ref('int_account_handles') }}),

joined as (

    select
        latest.post_id,
        coalesce(tracked_accounts.account_id, handles.account_id) as account_id,
        latest.account_username,
        latest.platform,
        latest.platform_post_id,
        latest.published_at,
        latest.post_type,
        latest.likes,
        latest.comments,
        latest.shares,
        latest.saves,
        latest.views,
        latest.snapshot_date as metrics_snapshot_date,
        latest.extracted_at as metrics_extracted_at
    from latest
    left join tracked_accounts using (account_id)
    left join handles
        on
            latest.platform = handles.platform
            and latest.account_username = handles.handle

),

final as (

    select
        joined.*,
        {{ utc_date('joined.published_at') }} as published_date
    from joined

)

select * from final
