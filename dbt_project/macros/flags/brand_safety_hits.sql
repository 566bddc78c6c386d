{#-
    brand_safety_hits('posts'): one row per post of `posts` (a relation with post_id,
    account_id, published_date and match_text) and term of the `brand_safety_terms` seed it
    contains (post_id, account_id, published_date, term, category): whole words,
    case-insensitive; a term without '#' or '@' also matches as a hashtag, spaces removed
    ("sports betting" -> #sportsbetting). Written once for the brand_safety flag (the
    roster's posts) and mart_discovery_candidates (the posts listening found).
-#}
{% macro brand_safety_hits(posts) -%}
    with

    brand_safety_terms as (

        select
            {{ irm.normalize_token('term') }} as term,
            case
                when term not like '#%' and term not like '@%'
                    then '#' || replace({{ irm.normalize_token('term') }}, ' ', '')
            end as hashtag_form,
            category
        from {{ ref('brand_safety_terms') }}

    )

    select
        {{ posts }}.post_id,
        {{ posts }}.account_id,
        {{ posts }}.published_date,
        brand_safety_terms.term,
        brand_safety_terms.category
    from {{ posts }}
    inner join brand_safety_terms
        on
            {{ irm.contains_token(posts ~ '.match_text', 'brand_safety_terms.term') }}
            or {{ irm.contains_token(posts ~ '.match_text', 'brand_safety_terms.hashtag_form') }}
{%- endmacro %}
