-- weak_disclosure (SPEC 5.3): a sponsored post whose only disclosure is weak (#sp, #spon,
-- #collab, #partner, #ambassador), or whose clear disclosure appears only after the first
-- `disclosure_visible_chars` (125) characters of title + caption (int_post_disclosures:
-- status `weak_disclosure`). threshold = the visible characters; severity medium.

with

disclosures as (

    select * from {{ ref('int_post_disclosures') }}

),

ties as (

    select * from {{ ref('int_post_campaign_ties') }}

),

final as (

    select
        'weak_disclosure' as flag_type,
        'medium' as severity,
        'post' as subject_kind,
        ties.post_id as subject_id,
        ties.creator_id,
        ties.account_id,
        ties.post_id,
        ties.published_date as detected_on,
        cast(null as double precision) as metric_value,
        cast({{ var('disclosure_visible_chars') }} as double precision) as threshold,
        {{ json_object_text([
            ('contract_id', 'ties.contract_id'),
            ('campaign_id', 'ties.campaign_id'),
            ('weak_tokens', 'disclosures.weak_tokens'),
            ('late_clear_tokens', 'disclosures.clear_tokens'),
            ('clear_disclosure_late', 'disclosures.is_clear_disclosure_late'),
        ]) }} as evidence
    from disclosures
    inner join ties
        on disclosures.post_id = ties.post_id
    where disclosures.disclosure_status = 'weak_disclosure'

)

select * from final
