-- What mart_discovery_candidates scores, per account listening found off the roster (SPEC
-- 5.5): its profile and tier, its found posts (int_listening_posts) and what they mention
-- (int_post_mentions), its engagement against its peers, and the problems a brand checks
-- before signing anyone.
--
-- - engagement_rate: the median, over its posts of the var('discovery_recent_days') days up
--   to its last lookup, of interactions (likes + comments + shares) / its followers at that
--   lookup; NULL without such a post or a known follower count. The posts are those its
--   account gave that day (YouTube: its uploads playlist and videos.list; TikTok: video/query
--   by username; stg_*__candidate_videos), so their counts have mostly settled, unlike a
--   post found on its publication day.
-- - peer_engagement_rate: the median engagement_rate of the candidates of the same platform
--   and tier, or of the platform when the tier has fewer than var('discovery_min_peers')
--   (peer_group says which); engagement_index = engagement_rate / peer_engagement_rate.
-- - niche_share: the share of its found posts that mention a niche term (niche relevance).
-- - brand_mentions: its found posts that mention a brand, product or campaign term;
--   mentions: those that mention a brand, product, campaign or niche term.
-- - brand_safety_hits: its found posts holding a brand-safety term
--   (macros/flags/brand_safety_hits.sql), with the terms.
-- - competitor_partner: a found post mentions a competitor term together with a disclosure
--   token of the `disclosure_tokens` seed (a competitor's disclosed partnership).

with

accounts as (select * from {{ ref('int_discovered_accounts') }}),

posts as (

    select listening_posts.*
    from {{ ref('int_listening_posts') }} as listening_posts
    inner join accounts using (account_id)

),

mentions as (

    select post_mentions.*
    from {{ ref('int_post_mentions') }} as post_mentions
    inner join accounts using (account_id)

),

disclosure_tokens as (

    select distinct {{ normalize_token('token') }} as token
    from {{ ref('disclosure_tokens') }}

),

tiered as (

    select
        accounts.*,
        tiers.tier
    from accounts
    {{ join_tiers('accounts.followers') }}

),

candidate_videos as (

    select
        'youtube:' || channel_id as account_id,
        video_id,
        published_at,
        {{ interactions('like_count', ['comment_count']) }} as interactions,
        snapshot_date,
        extracted_at
    from {{ ref('stg_youtube__candidate_videos') }}

    union all

    select
        'tiktok:' || {{ normalize_handle('username') }} as account_id,
        video_id,
        published_at,
        {{ interactions('like_count', ['comment_count', 'share_count']) }} as interactions,
        snapshot_date,
        extracted_at
    from {{ ref('stg_tiktok__candidate_videos') }}

),

-- the posts of each candidate's last lookup, each once (a record delivered twice keeps its
-- latest extraction)
last_lookup_videos as (

    {{ latest_record(
        '(select candidate_videos.* from candidate_videos inner join accounts'
        ~ ' on candidate_videos.account_id = accounts.account_id'
        ~ ' and candidate_videos.snapshot_date = accounts.last_seen) as looked_up',
        ['account_id', 'video_id']
    ) }}

),

post_rates as (

    select
        last_lookup_videos.account_id,
        {{ safe_divide('last_lookup_videos.interactions', 'tiered.followers') }}
            as engagement_rate
    from last_lookup_videos
    inner join tiered using (account_id)
    where
        {{ utc_date('last_lookup_videos.published_at') }}
        > {{ add_days('tiered.last_seen', '-' ~ var('discovery_recent_days')) }}

),

rates as (

    select
        account_id,
        count(*) as recent_posts,
        count(engagement_rate) as recent_posts_with_rate,
        {{ median('engagement_rate') }} as engagement_rate
    from post_rates
    group by account_id

),

post_counts as (

    select
        account_id,
        count(*) as posts_found
    from posts
    group by account_id

),

mention_counts as (

    select
        account_id,
        count(distinct case when term_kind <> 'competitor' then post_id end) as mentions,
        count(distinct case when is_brand_term then post_id end) as brand_mentions,
        count(distinct case when term_kind = 'niche' then post_id end) as niche_posts
    from mentions
    group by account_id

),

safety as (

    select
        account_id,
        count(distinct post_id) as brand_safety_hits,
        string_agg(distinct term, ', ' order by term) as brand_safety_terms
    from ({{ brand_safety_hits('posts') }}) as hits
    group by account_id

),

competitor_posts as (

    select distinct
        mentions.account_id,
        mentions.post_id,
        mentions.competitor
    from mentions
    inner join posts using (post_id)
    inner join disclosure_tokens
        on {{ contains_token('posts.match_text', 'disclosure_tokens.token') }}
    where mentions.term_kind = 'competitor'

),

partners as (

    select
        account_id,
        count(distinct post_id) as competitor_partner_posts,
        string_agg(distinct competitor, ', ' order by competitor) as competitor_partners
    from competitor_posts
    group by account_id

),

measured as (

    select
        tiered.*,
        coalesce(post_counts.posts_found, 0) as posts_found,
        coalesce(rates.recent_posts, 0) as recent_posts,
        coalesce(rates.recent_posts_with_rate, 0) as recent_posts_with_rate,
        rates.engagement_rate,
        coalesce(mention_counts.mentions, 0) as mentions,
        coalesce(mention_counts.brand_mentions, 0) as brand_mentions,
        coalesce(mention_counts.niche_posts, 0) as niche_posts,
        coalesce(
            {{ safe_divide('mention_counts.niche_posts', 'post_counts.posts_found') }}, 0
        ) as niche_share,
        coalesce(safety.brand_safety_hits, 0) as brand_safety_hits,
        safety.brand_safety_terms,
        coalesce(partners.competitor_partner_posts, 0) as competitor_partner_posts,
        partners.competitor_partners
    from tiered
    left join post_counts using (account_id)
    left join rates using (account_id)
    left join mention_counts using (account_id)
    left join safety using (account_id)
    left join partners using (account_id)

),

tier_peers as (

    select
        platform,
        tier,
        count(engagement_rate) as peers,
        {{ median('engagement_rate') }} as peer_engagement_rate
    from measured
    group by platform, tier

),

platform_peers as (

    select
        platform,
        {{ median('engagement_rate') }} as peer_engagement_rate
    from measured
    group by platform

),

final as (

    select
        measured.account_id,
        measured.platform,
        measured.platform_account_id,
        measured.handle,
        measured.display_name,
        case measured.platform
            when 'youtube' then 'https://www.youtube.com/channel/' || measured.platform_account_id
            when 'tiktok' then 'https://www.tiktok.com/@' || measured.platform_account_id
        end as profile_url,
        measured.followers,
        measured.tier,
        measured.first_seen,
        measured.last_seen,
        measured.posts_found,
        measured.recent_posts,
        measured.recent_posts_with_rate,
        measured.engagement_rate,
        case
            when tier_peers.peers >= {{ var('discovery_min_peers') }} then 'platform_tier'
            else 'platform'
        end as peer_group,
        case
            when tier_peers.peers >= {{ var('discovery_min_peers') }}
                then tier_peers.peer_engagement_rate
            else platform_peers.peer_engagement_rate
        end as peer_engagement_rate,
        measured.mentions,
        measured.brand_mentions,
        measured.niche_posts,
        measured.niche_share,
        measured.brand_safety_hits,
        measured.brand_safety_terms,
        measured.competitor_partner_posts > 0 as competitor_partner,
        measured.competitor_partner_posts,
        measured.competitor_partners,
        measured.largest_follower_jump_share,
        measured.largest_follower_jump_from,
        measured.largest_follower_jump_to
    from measured
    left join tier_peers
        on
            measured.platform = tier_peers.platform
            and measured.tier = tier_peers.tier
    left join platform_peers on measured.platform = platform_peers.platform

)

select
    final.*,
    {{ safe_divide('engagement_rate', 'peer_engagement_rate') }} as engagement_index
from final
