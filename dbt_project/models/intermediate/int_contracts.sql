-- Contracts of the current CRM export with their campaign, spend in the reporting currency and
-- the tokens that tie a post to them (SPEC 3.2): the campaign's tracking hashtag ('#' added
-- when missing), the brand handle ('@' added when missing) and the contract's promo code, each
-- normalised for whole-word matching, plus the clear disclosure `#<brand>partner`.

with

contracts as (select * from {{ ref('int_crm__contracts_current') }}),
campaigns as (select * from {{ ref('int_crm__campaigns_current') }}),
rates as (select * from {{ ref('int_currency_rates') }}),

joined as (

    select
        contracts.contract_id,
        contracts.campaign_id,
        contracts.creator_id,
        campaigns.campaign_name,
        campaigns.brand,
        campaigns.starts_on,
        campaigns.ends_on,
        contracts.signed_on,
        contracts.due_on,
        contracts.deliverables,
        coalesce(contracts.is_exclusive, false) as is_exclusive,
        contracts.promo_code,
        contracts.utm_campaign,
        contracts.utm_content,
        campaigns.tracking_hashtag,
        campaigns.brand_handle,
        contracts.fee,
        contracts.product_cost,
        contracts.currency,
        contracts.commission_rate,
        -- SPEC 5.2: spend_committed = fee + product cost (an empty cell adds nothing)
        cast(
            coalesce(contracts.fee, 0) + coalesce(contracts.product_cost, 0) as numeric(18, 2)
        ) as spend_committed,
        rates.rate_to_reporting
    from contracts
    -- rates before campaigns: a campaign has a currency too (its budget's), and after that
    -- join `using (currency)` would not know which one it means
    left join rates using (currency)
    left join campaigns using (campaign_id)

),

final as (

    select
        contract_id,
        campaign_id,
        creator_id,
        campaign_name,
        brand,
        starts_on,
        ends_on,
        signed_on,
        due_on,
        deliverables,
        is_exclusive,
        promo_code,
        -- the tracked link's parameters (NULL when the CRM file lacks them: no link attribution)
        utm_campaign,
        utm_content,
        tracking_hashtag,
        brand_handle,
        fee,
        product_cost,
        currency,
        -- a performance-based contract's share of its net attributed revenue (NULL: fee only)
        commission_rate,
        spend_committed,
        -- unrounded (an amount to the cent times a rate of 10 decimals is exact at 12 decimals):
        -- the marts round their sums to the cent, once
        cast(spend_committed * rate_to_reporting as numeric(38, 12)) as spend_committed_usd,
        -- the exclusivity window: from signature (or campaign start, if earlier) to campaign end
        case
            when signed_on is not null and signed_on < starts_on then signed_on
            else starts_on
        end as exclusive_from,
        ends_on as exclusive_to,
        -- tokens for whole-word matching (macros/text/text_tokens.sql)
        {{ normalize_token(
            "case when tracking_hashtag like '#%' then tracking_hashtag"
            ~ " else '#' || tracking_hashtag end"
        ) }} as hashtag_token,
        {{ normalize_token(
            "case when brand_handle like '@%' then brand_handle else '@' || brand_handle end"
        ) }} as handle_token,
        {{ normalize_token('promo_code') }} as promo_code_token,
        -- FTC: #<Brand>Partner is a clear disclosure
        '#' || regexp_replace(lower(coalesce(brand, '')), '[^a-z0-9]', '', 'g') || 'partner'
            as brand_partner_token,
        -- promo codes compare case-insensitively with shop discount codes
        upper(trim(promo_code)) as promo_code_key
    from joined

)

select * from final
