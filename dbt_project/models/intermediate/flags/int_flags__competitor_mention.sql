-- competitor_mention (SPEC 5.3): a post that mentions a competitor of the `competitors` seed
-- (a handle, hashtag or name token, whole words) while its creator has an active exclusive
-- contract: the contract is marked exclusive, and the post was published (UTC date) between
-- the signature (or the campaign start, if earlier) and the campaign end. The seed's `brand`
-- must equal the campaign's brand (case-insensitive) or be `*` (a competitor of every brand);
-- a campaign's own brand is never its competitor. One flag per post; severity high.

with

posts as ({{ flaggable_posts() }}),

creator_accounts as (select * from {{ ref('int_creator_accounts') }}),

exclusive_contracts as (

    select * from {{ ref('int_contracts') }}
    where is_exclusive

),

competitors as (

    select
        trim(brand) as brand,
        competitor,
        {{ normalize_token('token') }} as token
    from {{ ref('competitors') }}

),

in_window as (

    select
        posts.post_id,
        posts.account_id,
        posts.published_date,
        posts.match_text,
        creator_accounts.creator_id,
        exclusive_contracts.contract_id,
        exclusive_contracts.campaign_id,
        exclusive_contracts.brand
    from posts
    inner join creator_accounts using (account_id)
    inner join exclusive_contracts
        on
            creator_accounts.creator_id = exclusive_contracts.creator_id
            and posts.published_date
            between exclusive_contracts.exclusive_from and exclusive_contracts.exclusive_to

),

found as (

    select
        in_window.*,
        competitors.competitor,
        competitors.token
    from in_window
    inner join competitors
        on
            (competitors.brand = '*' or lower(competitors.brand) = lower(in_window.brand))
            and lower(competitors.competitor) <> lower(coalesce(in_window.brand, ''))
            and {{ contains_token('in_window.match_text', 'competitors.token') }}

),

per_post as (

    select
        post_id,
        account_id,
        creator_id,
        published_date,
        min(contract_id) as contract_id,
        min(campaign_id) as campaign_id,
        min(brand) as brand,
        count(distinct competitor) as competitors_found,
        string_agg(distinct competitor, ', ' order by competitor) as competitors,
        string_agg(distinct token, ', ' order by token) as tokens
    from found
    group by post_id, account_id, creator_id, published_date

),

final as (

    select
        'competitor_mention' as flag_type,
        'high' as severity,
        {{ flag_subject('post', creator_id='creator_id', detected_on='published_date') }}
        {{ flag_measures('competitors_found', 1, [
            ('competitors', 'competitors'),
            ('tokens', 'tokens'),
            ('exclusive_contract_id', 'contract_id'),
            ('campaign_id', 'campaign_id'),
            ('brand', 'brand'),
        ]) }}
    from per_post

)

select * from final
