-- Posts tied to a contract (SPEC 3.2): the post belongs to the contract's creator, was
-- published (UTC date) between the campaign's start and end, both included, and its title or
-- caption carries the campaign's tracking hashtag, its brand handle or the contract's promo
-- code as whole words. One contract per post: the one with the most matching signals, then
-- the latest campaign start, then the lowest contract id.

with

posts as (select * from {{ ref('int_posts') }}),
texts as (select * from {{ ref('int_post_texts') }}),
creator_accounts as (select * from {{ ref('int_creator_accounts') }}),
contracts as (select * from {{ ref('int_contracts') }}),

candidates as (

    select
        posts.post_id,
        posts.account_id,
        posts.published_date,
        contracts.contract_id,
        contracts.campaign_id,
        contracts.creator_id,
        contracts.starts_on,
        contracts.brand_partner_token,
        {{ contains_token('texts.match_text', 'contracts.hashtag_token') }} as has_tracking_hashtag,
        {{ contains_token('texts.match_text', 'contracts.handle_token') }} as has_brand_handle,
        {{ contains_token('texts.match_text', 'contracts.promo_code_token') }} as has_promo_code
    from posts
    inner join creator_accounts using (account_id)
    inner join contracts
        on
            creator_accounts.creator_id = contracts.creator_id
            and posts.published_date between contracts.starts_on and contracts.ends_on
    inner join texts using (post_id)

),

matched as (

    select
        candidates.*,
        case when candidates.has_tracking_hashtag then 1 else 0 end
        + case when candidates.has_brand_handle then 1 else 0 end
        + case when candidates.has_promo_code then 1 else 0 end as matched_signals
    from candidates
    where
        candidates.has_tracking_hashtag
        or candidates.has_brand_handle
        or candidates.has_promo_code

),

ranked as (

    select
        matched.*,
        row_number() over (
            partition by matched.post_id
            order by matched.matched_signals desc, matched.starts_on desc, matched.contract_id asc
        ) as tie_rank
    from matched

),

final as (

    select
        post_id,
        account_id,
        creator_id,
        contract_id,
        campaign_id,
        published_date,
        has_tracking_hashtag,
        has_brand_handle,
        has_promo_code,
        matched_signals,
        brand_partner_token
    from ranked
    where tie_rank = 1

)

select * from final
