{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- Which account each Instagram and TikTok username names, for the records that name an account
-- only by its username (Instagram media, the CRM's claims). Usernames are compared lower-case
-- without a leading '@' (int_account_snapshots keeps them so). An Instagram username can pass
-- from one account to another (a rename, then someone takes the old name): it names the
-- account of its latest snapshot. A TikTok username is its account's id. YouTube records name
-- their channel by its id and need no lookup.

with

snapshots as (

    select
        platform,
        handle,
        account_id,
        snapshot_date,
        extracted_at
    from {{ ref('int_account_snapshots') }}
    where platform in ('instagram', 'tiktok')

),

ranked as (

    select
        snapshots.*,
        row_number() over (
            partition by snapshots.platform, snapshots.handle
            order by snapshots.snapshot_date desc, snapshots.extracted_at desc
        ) as handle_rank
    from snapshots

),

final as (

    select
        platform,
        handle,
        account_id
    from ranked
    where handle_rank = 1

)

select * from final
