{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- Who a post belongs to and whom it was made for, one row per post of int_posts: its account
-- (NULL when never resolved), the creator claiming that account (int_creator_accounts) and the
-- contract and campaign it is tied to (int_post_campaign_ties). is_sponsored = tied to a
-- contract (fct_post.is_sponsored). The one place this chain is written: fct_post, the
-- comments and the caption flags read it.

with

posts as (select * from {{ ref('int_posts') }}),
creator_accounts as (select * from {{ ref('int_creator_accounts') }}),
ties as (select * from {{ ref('int_post_campaign_ties') }}),

final as (

    select
        posts.post_id,
        posts.account_id,
        creator_accounts.creator_id,
        ties.contract_id,
        ties.campaign_id,
        ties.contract_id is not null as is_sponsored
    from posts
    left join creator_accounts using (account_id)
    left join ties using (post_id)

)

select * from final
