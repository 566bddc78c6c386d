-- undisclosed_sponsorship (SPEC 5.3): a post tied to a contract (int_post_campaign_ties:
-- tracking hashtag, brand handle or promo code in the text, published inside the campaign, by
-- the contract's creator) that carries no disclosure token at all (int_post_disclosures:
-- status `undisclosed`). Always high severity: an FTC requirement.

with

disclosures as (

    select * from {{ ref('int_post_disclosures') }}

),

ties as (

    select * from {{ ref('int_post_campaign_ties') }}

),

final as (

    select
        'undisclosed_sponsorship' as flag_type,
        'high' as severity,
        'post' as subject_kind,
        ties.post_id as subject_id,
        ties.creator_id,
        ties.account_id,
        ties.post_id,
        ties.published_date as detected_on,
        cast(null as double precision) as metric_value,
        cast(null as double precision) as threshold,
        {{ json_object_text([
            ('contract_id', 'ties.contract_id'),
            ('campaign_id', 'ties.campaign_id'),
            ('has_tracking_hashtag', 'ties.has_tracking_hashtag'),
            ('has_brand_handle', 'ties.has_brand_handle'),
            ('has_promo_code', 'ties.has_promo_code'),
        ]) }} as evidence
    from disclosures
    inner join ties
        on disclosures.post_id = ties.post_id
    where disclosures.disclosure_status = 'undisclosed'

)

select * from final
