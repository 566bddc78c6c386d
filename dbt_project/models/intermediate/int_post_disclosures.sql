{{ config(materialized='ephemeral') }}

-- Ephemeral (dbt_project/README.md, "Materializations"): inlined as a CTE into the models
-- that use it; no table, and no orchestrator task of its own.

-- Disclosure status of every post (SPEC 5.3, FTC Endorsement Guides):
--   not_sponsored    the post is not tied to a contract
--   disclosed        a clear token (seed `disclosure_tokens`, strength clear, or the
--                    campaign's #<brand>partner) within the first `disclosure_visible_chars`
--                    characters (125: above the "more" cut) of title + caption
--   weak_disclosure  only weak tokens (#sp, #spon, #collab, #partner, #ambassador), or a clear
--                    token that appears only after those first characters
--   undisclosed      tied to a contract with no disclosure token at all
-- Tokens match as whole words, case-insensitively ("#ad" does not match "#adventure").

with

posts as (select * from {{ ref('int_posts') }}),
texts as (select * from {{ ref('int_post_texts') }}),
ties as (select * from {{ ref('int_post_campaign_ties') }}),

seed_tokens as (

    select
        {{ normalize_token('token') }} as token,
        strength
    from {{ ref('disclosure_tokens') }}

),

sponsored as (

    select
        ties.post_id,
        texts.match_text,
        texts.visible_match_text,
        ties.contract_id,
        ties.brand_partner_token
    from ties
    inner join texts using (post_id)

),

-- the seed's tokens plus each post's own #<brand>partner
post_tokens as (

    select
        sponsored.post_id,
        seed_tokens.token,
        seed_tokens.strength
    from sponsored
    cross join seed_tokens

    union all

    select
        sponsored.post_id,
        sponsored.brand_partner_token as token,
        'clear' as strength
    from sponsored
    where sponsored.brand_partner_token <> '#partner'

),

found as (

    select
        post_tokens.post_id,
        post_tokens.token,
        post_tokens.strength,
        {{ contains_token('sponsored.visible_match_text', 'post_tokens.token') }} as is_visible
    from post_tokens
    inner join sponsored using (post_id)
    where {{ contains_token('sponsored.match_text', 'post_tokens.token') }}

),

summary as (

    select
        post_id,
        max(case when strength = 'clear' and is_visible then 1 else 0 end) as has_visible_clear,
        max(case when strength = 'clear' then 1 else 0 end) as has_clear,
        max(case when strength = 'weak' then 1 else 0 end) as has_weak,
        string_agg(case when strength = 'clear' then token end, ', ' order by token)
            as clear_tokens,
        string_agg(case when strength = 'weak' then token end, ', ' order by token)
            as weak_tokens
    from found
    group by post_id

),

final as (

    select
        posts.post_id,
        sponsored.contract_id is not null as is_sponsored,
        case
            when sponsored.contract_id is null then 'not_sponsored'
            when summary.has_visible_clear = 1 then 'disclosed'
            when summary.has_clear = 1 or summary.has_weak = 1 then 'weak_disclosure'
            else 'undisclosed'
        end as disclosure_status,
        coalesce(summary.has_clear = 1 and summary.has_visible_clear = 0, false)
            as is_clear_disclosure_late,
        summary.clear_tokens,
        summary.weak_tokens
    from posts
    left join sponsored using (post_id)
    left join summary using (post_id)

)

select * from final
