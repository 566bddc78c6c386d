-- One row per creator of the current CRM export (SPEC 5.1), with the tier and platform of
-- their largest account (most followers; ties: lowest account id) and the earliest known
-- start of the partnership: the earliest `partnered_on` of any CRM export or, if earlier, the
-- earliest contract signature. The contact e-mail is personal data (tagged in
-- _marts__models.yml): publication leaves it out of the BI copy unless configured.

with

creators as (select * from {{ ref('int_crm__creators_current') }}),

accounts as (

    select
        creator_accounts.creator_id,
        accounts.account_id,
        accounts.platform,
        accounts.followers,
        accounts.tier,
        row_number() over (
            partition by creator_accounts.creator_id
            order by accounts.followers desc nulls last, accounts.account_id asc
        ) as size_rank
    from {{ ref('int_creator_accounts') }} as creator_accounts
    inner join {{ ref('int_accounts_current') }} as accounts using (account_id)

),

account_totals as (

    select
        creator_id,
        count(*) as accounts,
        sum(followers) as total_followers
    from accounts
    group by creator_id

),

partnered as (

    select
        creator_id,
        min(partnered_on) as partnered_on
    from {{ ref('stg_crm__creators') }}
    group by creator_id

),

signed as (

    select
        creator_id,
        min(signed_on) as signed_on
    from {{ ref('int_contracts') }}
    group by creator_id

),

final as (

    select
        creators.creator_id,
        creators.display_name,
        primary_account.tier,
        primary_account.platform as primary_platform,
        creators.status,
        creators.manager,
        creators.country,
        creators.niche,
        least(partnered.partnered_on, signed.signed_on) as first_partnered_on,
        primary_account.account_id as primary_account_id,
        coalesce(account_totals.accounts, 0) as accounts,
        cast(account_totals.total_followers as bigint) as total_followers,
        creators.youtube_channel_id,
        creators.instagram_username,
        creators.tiktok_username,
        creators.email
    from creators
    left join account_totals using (creator_id)
    left join partnered using (creator_id)
    left join signed using (creator_id)
    -- last: this join keeps both creator_id columns, so a `using (creator_id)` after it would
    -- not know which one it means
    left join accounts as primary_account
        on
            creators.creator_id = primary_account.creator_id
            and primary_account.size_rank = 1

)

select * from final
