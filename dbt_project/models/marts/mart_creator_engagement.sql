-- Engagement per account per month (SPEC 5.1, 5.2), from the posts published that month (UTC):
--   creator_id                    the creator the latest CRM export names for the account
--   avg / median_engagement_rate  mean / median of the posts' engagement_rate (posts with
--                                 hidden likes or unknown followers have none and drop out)
--   tier                          the account's tier on its last known follower count of the
--                                 month (before tracking began: its first known count)
--   tier_median_engagement_rate   median of avg_engagement_rate over the accounts of the same
--                                 platform x tier x month
--   peer_accounts                 accounts of the platform x tier x month with a rate
--   benchmark_engagement_rate     the yardstick: the tier median when peer_accounts >=
--                                 var('engagement_min_peer_accounts') (10); else the published
--                                 median of the account's follower band (seed
--                                 engagement_benchmarks) where there is one; else the tier
--                                 median all the same (benchmark_source: roster, published,
--                                 roster_small). A tier of one account is its own median.
--   engagement_index              avg_engagement_rate / benchmark_engagement_rate
--   percentile_in_tier            percent_rank of avg_engagement_rate within platform x tier x
--                                 month: 0 = lowest, 1 = highest
-- Averages of rates are taken over decimals: a sum of doubles depends on the order in which
-- parallel threads add them up, and a re-run must give identical marts (checksums).

with

creator_accounts as (select * from {{ ref('int_creator_accounts') }}),
published as (select * from {{ ref('engagement_benchmarks') }}),

posts as (

    select
        account_id,
        platform,
        {{ month_start('published_date') }} as month,
        engagement_rate
    from {{ ref('int_post_engagement') }}
    where account_id is not null

),

monthly as (

    select
        account_id,
        platform,
        month,
        count(*) as posts,
        count(engagement_rate) as posts_with_rate,
        avg(cast(engagement_rate as numeric(38, 18))) as avg_engagement_rate,
        {{ median('engagement_rate') }} as median_engagement_rate
    from posts
    group by account_id, platform, month

),

known_followers as (

    select
        account_id,
        snapshot_date,
        followers,
        {{ month_start('snapshot_date') }} as month,
        row_number() over (
            partition by account_id, {{ month_start('snapshot_date') }}
            order by snapshot_date desc
        ) as month_rank,
        row_number() over (
            partition by account_id
            order by snapshot_date
        ) as first_rank
    from {{ ref('int_account_snapshots') }}
    where followers is not null

),

with_followers as (

    select
        monthly.*,
        coalesce(month_end.followers, first_known.followers) as tier_followers
    from monthly
    left join known_followers as month_end
        on
            monthly.account_id = month_end.account_id
            and monthly.month = month_end.month
            and month_end.month_rank = 1
    left join known_followers as first_known
        on
            monthly.account_id = first_known.account_id
            and first_known.first_rank = 1

),

tiered as (

    select
        with_followers.*,
        tiers.tier
    from with_followers
    {{ join_tiers('with_followers.tier_followers') }}

),

tier_medians as (

    select
        platform,
        tier,
        month,
        {{ median('avg_engagement_rate') }} as tier_median_engagement_rate,
        count(avg_engagement_rate) as peer_accounts
    from tiered
    where tier is not null and avg_engagement_rate is not null
    group by platform, tier, month

),

ranked as (

    select
        account_id,
        month,
        percent_rank() over (
            partition by platform, tier, month
            order by avg_engagement_rate
        ) as percentile_in_tier
    from tiered
    where tier is not null and avg_engagement_rate is not null

),

benchmarked as (

    select
        tiered.account_id,
        tiered.month,
        tier_medians.tier_median_engagement_rate,
        coalesce(tier_medians.peer_accounts, 0) as peer_accounts,
        case
            when tier_medians.peer_accounts >= {{ var('engagement_min_peer_accounts') }}
                then 'roster'
            when published.median_engagement_rate is not null then 'published'
            when tier_medians.tier_median_engagement_rate is not null then 'roster_small'
        end as benchmark_source,
        case
            when tier_medians.peer_accounts >= {{ var('engagement_min_peer_accounts') }}
                then tier_medians.tier_median_engagement_rate
            else
                coalesce(
                    published.median_engagement_rate, tier_medians.tier_median_engagement_rate
                )
        end as benchmark_engagement_rate
    from tiered
    left join tier_medians
        on
            tiered.platform = tier_medians.platform
            and tiered.tier = tier_medians.tier
            and tiered.month = tier_medians.month
    left join published
        on
            tiered.platform = published.platform
            and tiered.tier_followers >= published.min_followers
            and (
                tiered.tier_followers < published.max_followers
                or published.max_followers is null
            )

),

final as (

    select
        tiered.account_id,
        creator_accounts.creator_id,
        tiered.month,
        tiered.posts,
        cast(tiered.avg_engagement_rate as double precision) as avg_engagement_rate,
        cast(tiered.median_engagement_rate as double precision) as median_engagement_rate,
        cast(benchmarked.tier_median_engagement_rate as double precision)
            as tier_median_engagement_rate,
        {{ safe_divide('tiered.avg_engagement_rate', 'benchmarked.benchmark_engagement_rate') }}
            as engagement_index,
        cast(ranked.percentile_in_tier as double precision) as percentile_in_tier,
        tiered.platform,
        tiered.tier,
        tiered.posts_with_rate,
        benchmarked.peer_accounts,
        cast(benchmarked.benchmark_engagement_rate as double precision)
            as benchmark_engagement_rate,
        benchmarked.benchmark_source
    from tiered
    inner join benchmarked
        on
            tiered.account_id = benchmarked.account_id
            and tiered.month = benchmarked.month
    left join ranked
        on
            tiered.account_id = ranked.account_id
            and tiered.month = ranked.month
    left join creator_accounts
        on tiered.account_id = creator_accounts.account_id

)

select * from final
