{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- The terms listening searches for (SPEC 5.5), as extractors/listening.py reads them: the
-- brand's seed `listening_terms` (term_kind brand, product, campaign or niche) and the
-- `competitors` seed's tokens without their '#' or '@' (term_kind competitor, with the
-- competitor's name). A term listed twice keeps its first row, the brand's seed first.
-- `is_brand_term`: brand, product and campaign terms, the brand's side of share of voice
-- (niche terms are on neither side).

with

brand_terms as (

    select
        lower(trim(term)) as term,
        lower(trim(term_kind)) as term_kind,
        cast(null as text) as competitor,
        1 as seed_order
    from {{ ref('listening_terms') }}

),

competitor_terms as (

    select
        lower(ltrim(trim(token), '#@')) as term,
        'competitor' as term_kind,
        min(competitor) as competitor,
        2 as seed_order
    from {{ ref('competitors') }}
    group by lower(ltrim(trim(token), '#@'))

),

unioned as (

    {{ union_all(['brand_terms', 'competitor_terms']) }}

),

first_rows as (

    {{ latest_record('unioned', ['term'], order_by='seed_order') }}

),

final as (

    select
        term,
        term_kind,
        competitor,
        term_kind in ('brand', 'product', 'campaign') as is_brand_term
    from first_rows

)

select * from final
