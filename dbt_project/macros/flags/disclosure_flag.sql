{#-
    disclosure_flag('weak_disclosure', 'weak_disclosure', "'medium'", threshold, evidence): a
    whole flag model of type `flag_type` about a sponsored post's disclosure
    (undisclosed_sponsorship, weak_disclosure): one flag per post tied to a contract (int_post_campaign_ties) whose disclosure status
    (int_post_disclosures) is `status`, detected on its publication date. `severity` and
    `threshold` are SQL expressions; `evidence` the (key, expression) pairs of the evidence
    JSON, over `ties` and `disclosures`.
-#}
{% macro disclosure_flag(flag_type, status, severity, threshold, evidence) -%}
with

disclosures as (select * from {{ ref('int_post_disclosures') }}),
ties as (select * from {{ ref('int_post_campaign_ties') }}),

final as (

    select
        '{{ flag_type }}' as flag_type,
        {{ severity }} as severity,
        {{ irm.flag_subject('post', 'ties', creator_id='ties.creator_id', detected_on='ties.published_date') }}
        {{ irm.flag_measures('null', threshold, evidence) }}
    from disclosures
    inner join ties using (post_id)
    where disclosures.disclosure_status = '{{ status }}'

)

select * from final
{%- endmacro %}
