-- Whom to sign next (SPEC 5.5): every account listening found off the roster, with what a
-- brand checks before signing it, a fit score 0-100 and a rank (1 = the best fit). Instagram
-- yields no candidates (its hashtag media name no author). The measures:
-- int_discovery_candidate_measures.
--
-- fit_score = 100 x (
--       var('discovery_weight_niche') x niche_share
--     + var('discovery_weight_engagement')
--       x min(engagement_index / var('discovery_engagement_index_cap'), 1)
--     + var('discovery_weight_brand')
--       x min(brand_mentions / var('discovery_brand_mentions_cap'), 1)
--   ) - var('discovery_problem_penalty') x the number of problems, at least 0.
-- The weights sum to 1; an unknown engagement index scores 0. The problems, each a reason a
-- brand would not sign the account as it is: brand-safety hits, a competitor's disclosed
-- partnership and each audience-quality flag:
--   follower_jump    followers rose by var('discovery_follower_jump_share') or more between
--                    two consecutive lookups (bought followers arrive in one day);
--   low_engagement   engagement_index below var('discovery_low_engagement_index').
-- rank orders by fit_score, then mentions, then account_id (ties broken the same every run).
-- reasons: the score's parts and the problems in plain words, '; '-separated.

with

measures as (select * from {{ ref('int_discovery_candidate_measures') }}),

flagged as (

    select
        measures.*,
        coalesce(
            measures.largest_follower_jump_share >= {{ var('discovery_follower_jump_share') }},
            false
        ) as has_follower_jump,
        coalesce(
            measures.engagement_index < {{ var('discovery_low_engagement_index') }}, false
        ) as has_low_engagement
    from measures

),

scored as (

    select
        flagged.*,
        case when flagged.has_follower_jump then 'follower_jump' end as follower_jump_flag,
        case when flagged.has_low_engagement then 'low_engagement' end as low_engagement_flag,
        100 * (
            {{ var('discovery_weight_niche') }} * flagged.niche_share
            -- least() skips NULLs: an unknown index is made 0 before it
            + {{ var('discovery_weight_engagement') }} * least(
                coalesce(flagged.engagement_index, 0) / {{ var('discovery_engagement_index_cap') }},
                1
            )
            + {{ var('discovery_weight_brand') }} * least(
                cast(flagged.brand_mentions as double precision)
                / {{ var('discovery_brand_mentions_cap') }}, 1
            )
        ) as base_score,
        (case when flagged.brand_safety_hits > 0 then 1 else 0 end)
        + (case when flagged.competitor_partner then 1 else 0 end)
        + (case when flagged.has_follower_jump then 1 else 0 end)
        + (case when flagged.has_low_engagement then 1 else 0 end) as problems
    from flagged

),

final as (

    select
        account_id,
        platform,
        handle,
        display_name,
        profile_url,
        followers,
        tier,
        engagement_rate,
        peer_engagement_rate,
        engagement_index,
        peer_group,
        posts_found,
        mentions,
        brand_mentions,
        niche_share,
        first_seen,
        last_seen,
        brand_safety_hits,
        competitor_partner,
        competitor_partners,
        nullif(concat_ws(', ', follower_jump_flag, low_engagement_flag), '')
            as audience_quality_flags,
        problems,
        cast(round(cast(greatest(
            base_score - {{ var('discovery_problem_penalty') }} * problems, 0
        ) as decimal(9, 4)), 1) as decimal(4, 1)) as fit_score,
        cast(row_number() over (
            order by
                greatest(base_score - {{ var('discovery_problem_penalty') }} * problems, 0) desc,
                mentions desc,
                account_id asc
        ) as integer) as rank,
        concat_ws(
            '; ',
            cast(round(100 * niche_share) as integer) || '% of ' || posts_found
            || ' posts found use the brand''s niche terms',
            case
                when engagement_index is not null
                    then 'engagement '
                        || cast(round(cast(engagement_index as decimal(18, 4)), 2) as text)
                        || 'x its peers (' || replace(peer_group, '_', ' x ') || ')'
                when engagement_rate is null
                    then 'engagement unknown (no recent post with a known rate)'
                else 'engagement not comparable (its peers engage 0 on the day found)'
            end,
            brand_mentions || ' posts mention the brand, its products or campaigns',
            case
                when brand_safety_hits > 0
                    then 'brand safety: ' || brand_safety_terms || ' in ' || brand_safety_hits
                        || ' posts'
            end,
            case
                when competitor_partner
                    then 'partnered with competitor ' || competitor_partners || ': '
                        || competitor_partner_posts || ' disclosed posts'
            end,
            case
                when has_follower_jump
                    then 'follower jump: +'
                        || cast(round(100 * largest_follower_jump_share) as integer)
                        || '% between ' || largest_follower_jump_from || ' and '
                        || largest_follower_jump_to
            end,
            case
                when has_low_engagement then 'engagement far below its peers'
            end
        ) as reasons
    from scored

)

select * from final
