-- The floor (SPEC 10): the key marts computed by plain DuckDB SQL straight from the landing
-- files, with no warehouse, no staging layers and no tests. The benchmark times this script
-- and reports dbt's full build as a multiple of it; it then compares these tables with dbt's
-- marts, so the floor computes the same numbers (definitions: SPEC 5.2 and the dbt models
-- int_post_engagement, mart_creator_engagement, int_contract_measures, mart_campaign_roi).
--
-- {landing} and {seeds} are replaced by the benchmark with its own folders before running.
-- Campaign ROI here covers the money and the orders (spend, payments, attributed orders and
-- revenue, ROI, ROAS, CPA); the post ties (caption text matching) are not recomputed.


create or replace temp table yt_videos as
select dt, extracted_at, payload
from read_json('{landing}/youtube/videos/*/records.jsonl', format = 'newline_delimited',
    hive_partitioning = true, hive_types = {'dt': 'DATE'},
    columns = {'extracted_at': 'VARCHAR', 'parent_key': 'VARCHAR', 'payload': 'JSON'});

create or replace temp table ig_media as
select dt, extracted_at, parent_key, payload
from read_json('{landing}/instagram/media/*/records.jsonl', format = 'newline_delimited',
    hive_partitioning = true, hive_types = {'dt': 'DATE'},
    columns = {'extracted_at': 'VARCHAR', 'parent_key': 'VARCHAR', 'payload': 'JSON'});

create or replace temp table tt_videos as
select dt, extracted_at, parent_key, payload
from read_json('{landing}/tiktok/videos/*/records.jsonl', format = 'newline_delimited',
    hive_partitioning = true, hive_types = {'dt': 'DATE'},
    columns = {'extracted_at': 'VARCHAR', 'parent_key': 'VARCHAR', 'payload': 'JSON'});

-- Account snapshots: one follower count per account and day.
create or replace temp table account_snapshots as
with raw_accounts as (
    select 'youtube' as platform, dt, extracted_at, record_key, payload
    from read_json('{landing}/youtube/channels/*/records.jsonl', format = 'newline_delimited',
        hive_partitioning = true, hive_types = {'dt': 'DATE'},
        columns = {'extracted_at': 'VARCHAR', 'record_key': 'VARCHAR', 'payload': 'JSON'})
    union all
    select 'instagram', dt, extracted_at, record_key, payload
    from read_json('{landing}/instagram/accounts/*/records.jsonl', format = 'newline_delimited',
        hive_partitioning = true, hive_types = {'dt': 'DATE'},
        columns = {'extracted_at': 'VARCHAR', 'record_key': 'VARCHAR', 'payload': 'JSON'})
    union all
    select 'tiktok', dt, extracted_at, record_key, payload
    from read_json('{landing}/tiktok/users/*/records.jsonl', format = 'newline_delimited',
        hive_partitioning = true, hive_types = {'dt': 'DATE'},
        columns = {'extracted_at': 'VARCHAR', 'record_key': 'VARCHAR', 'payload': 'JSON'})
)
select
    platform,
    case platform
        when 'youtube' then 'youtube:' || (payload ->> 'id')
        when 'instagram' then 'instagram:' || (payload ->> 'id')
        else 'tiktok:' || record_key
    end as account_id,
    case when platform = 'instagram' then payload ->> 'username' end as ig_username,
    dt as snapshot_date,
    case platform
        when 'youtube' then (payload -> 'statistics' ->> 'subscriberCount')::bigint
        when 'instagram' then (payload ->> 'followers_count')::bigint
        else (payload ->> 'follower_count')::bigint
    end as followers
from raw_accounts
qualify row_number() over (
    partition by platform, account_id, dt order by extracted_at desc
) = 1;

-- Posts with their latest metrics, every platform in one shape.
create or replace temp table posts as
with snapshots as (
    select
        'youtube:' || (payload ->> 'id') as post_id,
        'youtube' as platform,
        'youtube:' || (payload -> 'snippet' ->> 'channelId') as account_id,
        null as ig_username,
        dt, extracted_at,
        (payload -> 'snippet' ->> 'publishedAt')::timestamptz as published_at,
        (payload -> 'statistics' ->> 'likeCount')::bigint as likes,
        (payload -> 'statistics' ->> 'commentCount')::bigint as comments,
        null::bigint as shares,
        (payload -> 'statistics' ->> 'viewCount')::bigint as views
    from yt_videos
    union all
    select
        'instagram:' || (payload ->> 'id'), 'instagram', null, parent_key, dt, extracted_at,
        strptime(payload ->> 'timestamp', '%Y-%m-%dT%H:%M:%S%z'),
        nullif((payload ->> 'like_count')::bigint, 0),  -- hidden likes come back as 0
        (payload ->> 'comments_count')::bigint,
        null, null
    from ig_media
    union all
    select
        'tiktok:' || (payload ->> 'id'), 'tiktok', 'tiktok:' || parent_key, null, dt,
        extracted_at, to_timestamp((payload ->> 'create_time')::bigint),
        (payload ->> 'like_count')::bigint, (payload ->> 'comment_count')::bigint,
        (payload ->> 'share_count')::bigint, (payload ->> 'view_count')::bigint
    from tt_videos
),
latest as (
    select * from snapshots
    qualify row_number() over (partition by post_id order by dt desc, extracted_at desc) = 1
),
ig_handles as (
    select ig_username, account_id from account_snapshots
    where platform = 'instagram'
    qualify row_number() over (partition by ig_username order by snapshot_date desc) = 1
),
tracked as (select distinct account_id from account_snapshots)
select
    latest.post_id,
    latest.platform,
    coalesce(tracked.account_id, ig_handles.account_id) as account_id,
    cast(timezone('UTC', latest.published_at) as date) as published_date,
    latest.views,
    case
        when latest.likes is not null
            then latest.likes + coalesce(latest.comments, 0) + coalesce(latest.shares, 0)
    end as interactions
from latest
left join tracked on latest.account_id = tracked.account_id
left join ig_handles
    on latest.platform = 'instagram' and latest.ig_username = ig_handles.ig_username;

-- Post engagement: followers on the latest snapshot at or before publication (as-of join),
-- else the account's first known snapshot.
create or replace temp table floor_post_engagement as
with known as (
    select account_id, snapshot_date, followers from account_snapshots
    where followers is not null
),
first_known as (
    select account_id, arg_min(followers, snapshot_date) as followers
    from known group by account_id
),
as_of as (
    select posts.*, known.followers as followers_before
    from posts
    asof left join known
        on posts.account_id = known.account_id
        and posts.published_date >= known.snapshot_date
)
select
    as_of.post_id,
    as_of.account_id,
    as_of.platform,
    as_of.published_date,
    as_of.views,
    as_of.interactions,
    coalesce(as_of.followers_before, first_known.followers) as followers_at_post,
    as_of.interactions / nullif(coalesce(as_of.followers_before, first_known.followers), 0)
        as engagement_rate
from as_of
left join first_known on as_of.account_id = first_known.account_id;

-- mart_creator_engagement: account x month, against the platform x tier x month median, or
-- the published median of its follower band when the tier is small.
create or replace temp table floor_creator_engagement as
with monthly as (
    select
        account_id, platform, date_trunc('month', published_date)::date as month,
        count(*) as posts,
        avg(engagement_rate::decimal(38, 18)) as avg_engagement_rate,
        median(engagement_rate) as median_engagement_rate
    from floor_post_engagement
    where account_id is not null
    group by all
),
known as (
    select account_id, snapshot_date, followers,
        date_trunc('month', snapshot_date)::date as month
    from account_snapshots where followers is not null
),
month_end as (
    select account_id, month, arg_max(followers, snapshot_date) as followers
    from known group by all
),
first_known as (
    select account_id, arg_min(followers, snapshot_date) as followers from known group by all
),
tiers as (select * from read_csv('{seeds}/tiers.csv')),
tiered as (
    select monthly.*, tiers.tier,
        coalesce(month_end.followers, first_known.followers) as tier_followers
    from monthly
    left join month_end using (account_id, month)
    left join first_known on monthly.account_id = first_known.account_id
    left join tiers
        on coalesce(month_end.followers, first_known.followers) >= tiers.min_followers
        and (coalesce(month_end.followers, first_known.followers) < tiers.max_followers
            or tiers.max_followers is null)
),
scored as (
    select
        *,
        median(avg_engagement_rate) filter (where tier is not null)
            over (partition by platform, tier, month) as tier_median_engagement_rate,
        count(avg_engagement_rate) filter (where tier is not null)
            over (partition by platform, tier, month) as peer_accounts,
        case when tier is not null and avg_engagement_rate is not null then
            percent_rank() over (
                partition by platform, tier, month, (tier is not null and avg_engagement_rate is not null)
                order by avg_engagement_rate)
        end as percentile_in_tier
    from tiered
),
-- a tier of fewer than {var:engagement_min_peer_accounts} accounts with a rate (the dbt var,
-- substituted by bench/measures.py) is compared with the published median of the band
published as (select * from read_csv('{seeds}/engagement_benchmarks.csv')),
benchmarked as (
    select
        scored.*,
        case
            when peer_accounts >= {var:engagement_min_peer_accounts} then tier_median_engagement_rate
            else coalesce(published.median_engagement_rate, tier_median_engagement_rate)
        end as benchmark_engagement_rate
    from scored
    left join published
        on scored.platform = published.platform
        and scored.tier_followers >= published.min_followers
        and (scored.tier_followers < published.max_followers or published.max_followers is null)
)
select
    account_id, month, posts,
    avg_engagement_rate::double as avg_engagement_rate,
    median_engagement_rate,
    tier_median_engagement_rate::double as tier_median_engagement_rate,
    (avg_engagement_rate / nullif(benchmark_engagement_rate, 0))::double as engagement_index,
    percentile_in_tier,
    peer_accounts,
    benchmark_engagement_rate::double as benchmark_engagement_rate
from benchmarked;

-- mart_campaign_roi (money and orders): the CRM's latest export, payments made, and orders
-- whose discount code is a contract's promo code inside the campaign (+ the dbt var
-- attribution_window_days), not
-- cancelled or refunded.
create or replace temp table floor_campaign_roi as
with rates as (
    select currency, usd_per_unit::decimal(20, 10) as rate
    from read_csv('{seeds}/currency_rates.csv', all_varchar = true)
),
crm as (
    select 'contracts' as entity, dt, extracted_at, payload
    from read_json('{landing}/crm/contracts/*/records.jsonl', format = 'newline_delimited',
        hive_partitioning = true, hive_types = {'dt': 'DATE'},
        columns = {'extracted_at': 'VARCHAR', 'payload': 'JSON'})
    union all
    select 'campaigns', dt, extracted_at, payload
    from read_json('{landing}/crm/campaigns/*/records.jsonl', format = 'newline_delimited',
        hive_partitioning = true, hive_types = {'dt': 'DATE'},
        columns = {'extracted_at': 'VARCHAR', 'payload': 'JSON'})
    union all
    select 'payments', dt, extracted_at, payload
    from read_json('{landing}/crm/payments/*/records.jsonl', format = 'newline_delimited',
        hive_partitioning = true, hive_types = {'dt': 'DATE'},
        columns = {'extracted_at': 'VARCHAR', 'payload': 'JSON'})
),
latest_crm as (
    select * from crm
    where dt = (select max(dt) from crm as c where c.entity = crm.entity)
),
campaigns as (
    select payload ->> 'campaign_id' as campaign_id,
        (payload ->> 'starts_on')::date as starts_on, (payload ->> 'ends_on')::date as ends_on
    from latest_crm where entity = 'campaigns'
    qualify row_number() over (partition by campaign_id order by extracted_at desc) = 1
),
contracts as (
    select
        payload ->> 'contract_id' as contract_id,
        payload ->> 'campaign_id' as campaign_id,
        upper(trim(payload ->> 'promo_code')) as promo_code_key,
        payload ->> 'utm_campaign' as utm_campaign,
        payload ->> 'utm_content' as utm_content,
        (payload ->> 'commission_rate')::decimal(9, 6) as commission_rate,
        (coalesce((payload ->> 'fee')::decimal(18, 2), 0)
            + coalesce((payload ->> 'product_cost')::decimal(18, 2), 0)) * rates.rate
            as spend_committed_usd
    from latest_crm
    left join rates on payload ->> 'currency' = rates.currency
    where entity = 'contracts' and payload ->> 'contract_id' is not null
    qualify row_number() over (partition by contract_id order by extracted_at desc) = 1
),
paid as (
    select payload ->> 'contract_id' as contract_id,
        sum((payload ->> 'amount')::decimal(18, 2) * rates.rate) as spend_paid_usd,
        sum((payload ->> 'amount')::decimal(18, 2) * rates.rate)
            filter (where payload ->> 'purpose' = 'commission') as commission_paid_usd
    from latest_crm
    left join rates on payload ->> 'currency' = rates.currency
    where entity = 'payments' and payload ->> 'status' = 'paid'
    group by all
),
orders as (
    select
        payload ->> 'id' as order_id,
        cast(timezone('UTC', (payload ->> 'created_at')::timestamptz) as date) as created_date,
        payload ->> 'cancelled_at' as cancelled_at,
        payload ->> 'financial_status' as financial_status,
        (payload ->> 'total_price')::decimal(18, 2) as total_price,
        -- net revenue (SPEC 5.2): less the successful refund transactions of the latest record
        coalesce((
            select sum((refund_transaction ->> 'amount')::decimal(18, 2))
            from unnest(payload -> '$.refunds[*].transactions[*]') as t (refund_transaction)
            where refund_transaction ->> 'kind' = 'refund'
                and refund_transaction ->> 'status' = 'success'
        ), 0) as refunded_amount,
        payload ->> 'currency' as currency,
        payload -> 'discount_codes' as discount_codes,
        -- the tracked link: landing_site when it has utm_campaign, else referring_site
        case
            when regexp_extract(payload ->> 'landing_site', '[?&]utm_campaign=([^&#]*)', 1) <> ''
                then payload ->> 'landing_site'
            else payload ->> 'referring_site'
        end as link_url
    from read_json('{landing}/shop/orders/*/records.jsonl', format = 'newline_delimited',
        hive_partitioning = true, hive_types = {'dt': 'DATE'},
        columns = {'extracted_at': 'VARCHAR', 'payload': 'JSON'})
    qualify row_number() over (partition by order_id order by dt desc, extracted_at desc) = 1
),
order_codes as (
    select orders.*, upper(trim(code.value ->> 'code')) as code_key
    from orders, json_each(orders.discount_codes) as code
),
named as (
    -- each contract an order names: by promo code, by tracked link
    select order_codes.order_id, order_codes.created_date, 'code' as named_by,
        contracts.contract_id
    from order_codes
    inner join contracts on order_codes.code_key = contracts.promo_code_key
    union all
    select orders.order_id, orders.created_date, 'link', contracts.contract_id
    from orders
    inner join contracts
        on nullif(regexp_extract(orders.link_url, '[?&]utm_campaign=([^&#]*)', 1), '')
            = contracts.utm_campaign
        and nullif(regexp_extract(orders.link_url, '[?&]utm_content=([^&#]*)', 1), '')
            = contracts.utm_content
),
in_window as (
    -- inside the campaign's window; of several, the latest campaign start, then the lowest id
    select named.order_id, named.named_by, named.contract_id
    from named
    inner join contracts using (contract_id)
    inner join campaigns on contracts.campaign_id = campaigns.campaign_id
        and named.created_date between campaigns.starts_on
        and campaigns.ends_on + interval {var:attribution_window_days} day
    qualify row_number() over (
        partition by named.order_id, named.named_by
        order by campaigns.starts_on desc, named.contract_id
    ) = 1
),
attributed as (
    -- a code and a link naming different contracts: attribution_conflict_winner decides
    select orders.*,
        case when '{var:attribution_conflict_winner}' = 'link'
            then coalesce(by_link.contract_id, by_code.contract_id)
            else coalesce(by_code.contract_id, by_link.contract_id)
        end as contract_id,
        by_code.contract_id as code_contract_id
    from orders
    left join in_window as by_code on orders.order_id = by_code.order_id
        and by_code.named_by = 'code'
    left join in_window as by_link on orders.order_id = by_link.order_id
        and by_link.named_by = 'link'
    where by_code.contract_id is not null or by_link.contract_id is not null
),
sold as (
    select contract_id, count(*) as orders,
        count(*) filter (where contract_id = code_contract_id) as orders_by_code,
        count(*) filter (where contract_id is distinct from code_contract_id) as orders_by_link,
        sum((total_price - refunded_amount) * rates.rate) as revenue_usd,
        sum(total_price * rates.rate) as gross_revenue_usd
    from attributed
    left join rates on attributed.currency = rates.currency
    where cancelled_at is null and coalesce(financial_status, '') not in ('refunded', 'voided')
    group by all
),
earned as (
    -- performance-based contracts: the rate x the net revenue, to the cent (an amount owed)
    select contracts.contract_id,
        coalesce(round(commission_rate * coalesce(sold.revenue_usd, 0), 2), 0) as commission_usd
    from contracts
    left join sold using (contract_id)
),
per_campaign as (
    select
        contracts.campaign_id,
        sum(spend_committed_usd + commission_usd) as spend_committed_usd,
        sum(coalesce(spend_paid_usd, 0)) as spend_paid_usd,
        sum(commission_usd) as commission_usd,
        sum(coalesce(commission_paid_usd, 0)) as commission_paid_usd,
        sum(coalesce(orders, 0)) as orders,
        sum(coalesce(orders_by_code, 0)) as orders_by_code,
        sum(coalesce(orders_by_link, 0)) as orders_by_link,
        sum(coalesce(revenue_usd, 0)) as revenue_usd,
        sum(coalesce(gross_revenue_usd, 0)) as gross_revenue_usd
    from contracts
    inner join earned using (contract_id)
    left join paid using (contract_id)
    left join sold using (contract_id)
    group by all
),
rounded as (
    -- money rounded to the cent once; the ratios use the rounded amounts (as the mart does)
    select
        campaigns.campaign_id,
        round(coalesce(spend_committed_usd, 0), 2)::decimal(18, 2) as spend_committed_usd,
        round(coalesce(spend_paid_usd, 0), 2)::decimal(18, 2) as spend_paid_usd,
        coalesce(orders, 0)::bigint as orders,
        coalesce(orders_by_code, 0)::bigint as orders_by_code,
        coalesce(orders_by_link, 0)::bigint as orders_by_link,
        round(coalesce(revenue_usd, 0), 2)::decimal(18, 2) as revenue_usd,
        round(coalesce(gross_revenue_usd, 0), 2)::decimal(18, 2) as gross_revenue_usd,
        round(coalesce(commission_usd, 0), 2)::decimal(18, 2) as commission_usd,
        round(coalesce(commission_paid_usd, 0), 2)::decimal(18, 2) as commission_paid_usd
    from campaigns
    left join per_campaign using (campaign_id)
)
select
    campaign_id,
    spend_committed_usd::double as spend_committed_usd,
    spend_paid_usd::double as spend_paid_usd,
    orders,
    orders_by_code,
    orders_by_link,
    revenue_usd::double as revenue_usd,
    gross_revenue_usd::double as gross_revenue_usd,
    commission_usd::double as commission_usd,
    commission_paid_usd::double as commission_paid_usd,
    (commission_usd - commission_paid_usd)::double as commission_outstanding_usd,
    (revenue_usd / nullif(spend_committed_usd, 0))::double as roas,
    ((revenue_usd - spend_committed_usd) / nullif(spend_committed_usd, 0))::double as roi,
    (spend_committed_usd / nullif(orders, 0))::double as cpa_usd
from rounded;
