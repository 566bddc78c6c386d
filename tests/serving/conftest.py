"""A tiny hand-built warehouse with a `marts` schema, for publication and export tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings, get_settings
from tests.data_root import OVERRIDES, data_root_fixtures
from tests.mart_fixtures import ACCOUNTS_AND_POSTS, MartRows, build_warehouse
from tests.prepared import prepared_copy

# The warehouse starts from fct_post and dim_creator_account; a test adds its changes (SQL, or
# marts such as FULL_MARTS).
settings, warehouse = data_root_fixtures(ACCOUNTS_AND_POSTS)


# Comments under the fixture's posts; the data's newest day is 2026-02-05 (fct_account_daily),
# so the report's week is 2026-01-30 to 2026-02-05. What the "What audiences say" section
# must do with each: six positive ones of the week (the least liked, "Nice", is the sixth and
# not shown), a much-liked negative one, and three it must never show as a liked comment of
# the week: the most liked of all but unscored, a neutral one, and a positive one older than
# the week.
WEEK_COMMENTS_ROWS = """
INSERT INTO marts.fct_comment BY NAME
SELECT *, split_part(comment_id, ':', 2) AS platform_comment_id,
       split_part(post_id, ':', 1) AS platform, published_at::DATE AS published_date,
       published_at::DATE AS first_listed_on, DATE '2026-02-05' AS last_listed_on,
       0 AS reply_count
FROM (VALUES
 ('youtube:y1', 'youtube:v1', 'youtube:c1', 'cr1', TIMESTAMPTZ '2026-02-04 09:00:00+00', 'en',
  0.81, 'positive', NULL, 40, false, 'Love this <b>video</b> & the music!', '@fan_one'),
 ('youtube:y2', 'youtube:v2', 'youtube:c1', 'cr1', TIMESTAMPTZ '2026-02-04 10:00:00+00', 'en',
  0.64, 'positive', NULL, 30, true, 'Great review, thanks', '@fan_two'),
 ('youtube:y3', 'youtube:v2', 'youtube:c1', 'cr1', TIMESTAMPTZ '2026-02-03 11:00:00+00', 'en',
  0.44, 'positive', NULL, 20, true, 'Good one', '@fan_three'),
 ('tiktok:71', 'tiktok:t1', 'tiktok:k3', 'cr3', TIMESTAMPTZ '2026-02-05 08:30:00+00', 'en',
  0.51, 'positive', NULL, 10, true, 'So happy I found this', NULL),
 ('tiktok:72', 'tiktok:t1', 'tiktok:k3', 'cr3', TIMESTAMPTZ '2026-01-30 12:00:00+00', 'en',
  0.36, 'positive', NULL, 5, true, 'Pretty good', NULL),
 ('tiktok:73', 'tiktok:t2', 'tiktok:k3', 'cr3', TIMESTAMPTZ '2026-02-05 09:00:00+00', 'en',
  0.42, 'positive', NULL, 1, false, 'Nice', NULL),
 ('youtube:y4', 'youtube:v2', 'youtube:c1', 'cr1', TIMESTAMPTZ '2026-02-04 12:00:00+00', 'en',
  -0.77, 'negative', NULL, 500, true, 'Terrible ad, unfollowing', '@critic'),
 ('tiktok:74', 'tiktok:t1', 'tiktok:k3', 'cr3', TIMESTAMPTZ '2026-02-02 07:00:00+00', 'en',
  -0.4, 'negative', NULL, 3, true, 'Not for me', NULL),
 ('youtube:y5', 'youtube:v2', 'youtube:c1', 'cr1', TIMESTAMPTZ '2026-02-05 13:00:00+00', 'es',
  NULL, 'unscored', 'not_english', 9000, true, 'Odio este anuncio UNSCORED', '@otro'),
 ('tiktok:75', 'tiktok:t1', 'tiktok:k3', 'cr3', TIMESTAMPTZ '2026-02-04 15:00:00+00', 'en',
  0.0, 'neutral', NULL, 700, true, 'Posted on a Tuesday NEUTRAL', NULL),
 ('youtube:y6', 'youtube:v1', 'youtube:c1', 'cr1', TIMESTAMPTZ '2026-01-29 23:59:00+00', 'en',
  0.9, 'positive', NULL, 10000, false, 'Best channel ever OLDER', '@early')
) AS c(comment_id, post_id, account_id, creator_id, published_at, language, sentiment_score,
       sentiment_label, unscored_reason, like_count, is_sponsored_post, text, author_handle);
"""


# Listening (issue 20). The data's newest day is Thursday 2026-02-05, so the latest complete
# week is 2026-01-26 to 2026-02-01 (the week of 2026-02-02 is still running and must not show);
# the week before is 2026-01-19. Twelve discovery candidates (inserted out of rank order), so
# the report shows the ten best; the best ranked has a hostile handle, profile URL and reason
# (escaped, and not a link), the third an http(s) profile URL hiding a bidi override (not a
# link either).
LISTENING_ROWS = """
INSERT INTO marts.mart_share_of_voice BY NAME
SELECT * FROM (VALUES
 ('2026-02-02', 'youtube', 9, 1, 0.9, 0, NULL),
 ('2026-01-26', 'youtube', 6, 2, 0.75, 10, 0.4),
 ('2026-01-26', 'tiktok', 1, 3, 0.25, 0, NULL),
 ('2026-01-26', 'instagram', 2, 0, 1.0, 0, NULL),
 ('2026-01-19', 'youtube', 3, 3, 0.5, 4, -0.25)
) AS v(week, platform, brand_mentions, competitor_mentions, share_of_voice,
       brand_posts_scored, brand_net_sentiment);
INSERT INTO marts.mart_brand_mentions BY NAME
SELECT * FROM (VALUES
 ('2026-01-27', 'youtube', 'lumencoffee', 'brand', 3, 2, 1, 450, 6, 0.5),
 ('2026-01-30', 'youtube', 'lumencoffee', 'brand', 2, 2, 0, 120, 4, 0.25),
 ('2026-01-28', 'tiktok', 'lumenbrew', 'product', 1, 1, 0, 80, 0, NULL),
 ('2026-01-29', 'instagram', 'lumencoffee', 'brand', 2, NULL, NULL, 300, 0, NULL),
 ('2026-01-29', 'youtube', 'brewmaster', 'competitor', 7, 5, 0, 900, 0, NULL),
 ('2026-01-31', 'youtube', 'pourover', 'niche', 8, 6, 2, 700, 0, NULL),
 ('2026-01-25', 'youtube', 'springbrew', 'campaign', 4, 4, 1, 60, 0, NULL),
 ('2026-02-03', 'youtube', 'lumencoffee', 'brand', 9, 6, 2, 990, 3, 1.0)
) AS m(date, platform, term, term_kind, mentions, authors, roster_authors, interactions,
       posts_scored, net_sentiment);
INSERT INTO marts.mart_discovery_candidates BY NAME
SELECT *, split_part(account_id, ':', 1) AS platform,
       split_part(account_id, ':', 1) || coalesce('_' || tier, '') AS peer_group,
       DATE '2026-01-10' AS first_seen, DATE '2026-02-05' AS last_seen,
       competitor_partners IS NOT NULL AS competitor_partner,
       0.04 AS engagement_rate, 0.04 / engagement_index AS peer_engagement_rate,
       mentions + 2 AS posts_found
FROM (VALUES
 (11, 'youtube:UC11', 'eleven', 'https://youtube.com/@eleven', 5.0, 7000, 'nano', 1.0, 0.9,
  4, 6, 3, 'brewmaster', NULL, 2, 'Reasons 11; brand safety; partnered with competitor'),
 (4, 'youtube:UC4', 'four_cups', 'https://youtube.com/@four_cups', 60.0, 4000, 'nano',
  1.0, 0.6, 1, 4, 0, NULL, NULL, 0, 'Reasons 4'),
 (1, 'youtube:UChostile', '<script>alert(1)</script>', 'javascript:alert(1)', 91.5, 52000,
  'mid-tier', 2.1, 0.9, 6, 8, 0, NULL, NULL, 0,
  '90% of 10 posts found use the brand''s niche terms; <img src=x onerror=alert(1)>'),
 (12, 'tiktok:twelve', 'twelve', 'https://www.tiktok.com/@twelve', 0.0, 8000, 'nano', 0.1,
  0.2, 0, 1, 0, NULL, 'low_engagement', 1, 'Reasons 12'),
 (7, 'tiktok:seven', 'seven', 'https://www.tiktok.com/@seven', 45.0, 2000, 'nano', 0.8,
  0.5, 0, 2, 0, NULL, NULL, 0, 'Reasons 7'),
 (2, 'tiktok:brewbeth', '@brewbeth', 'https://www.tiktok.com/@brewbeth?lang=en&x=1', 80.0,
  12000, 'micro', 1.6, 0.8, 3, 5, 0, NULL, NULL, 0,
  '80% of 7 posts found use the brand''s niche terms; engagement 1.60x its peers'),
 (9, 'tiktok:nine', 'nine', 'https://www.tiktok.com/@nine', 35.0, 5000, 'nano', 1.1, 0.4,
  0, 2, 0, NULL, 'follower_jump', 1, 'Reasons 9; follower jump: +40%'),
 (3, 'youtube:UCbidi', 'Bidi Barista', 'https://youtube.com/' || chr(8238) || 'gnp.exe',
  70.25, 8000, 'nano', 1.2, 0.7, 1, 4, 0, NULL, NULL, 0, 'Bidi reasons'),
 (10, 'tiktok:ten', 'ten', 'https://www.tiktok.com/@ten', 30.0, 6000, 'nano', 0.2, 0.4, 0, 2,
  0, NULL, 'low_engagement', 1, 'Reasons 10; engagement far below its peers'),
 (5, 'youtube:UC5', 'five_beans', 'https://youtube.com/@five_beans', 55.0, 3000, 'nano',
  NULL, 0.6, 0, 3, 0, NULL, NULL, 0, 'Reasons 5'),
 (8, 'youtube:UC8', NULL, 'https://youtube.com/channel/UC8', 40.0, NULL, NULL, NULL, 0.5,
  0, 2, 0, NULL, NULL, 0, 'Reasons 8'),
 (6, 'tiktok:six', 'six', 'https://www.tiktok.com/@six', 50.0, 900000, 'macro', 0.9, 0.5,
  0, 3, 0, NULL, NULL, 0, 'Reasons 6')
) AS d(rank, account_id, handle, profile_url, fit_score, followers, tier, engagement_index,
       niche_share, brand_mentions, mentions, brand_safety_hits, competitor_partners,
       audience_quality_flags, problems, reasons);
"""


# Posts around the report's week (issue 22 item 7). The data's newest day is Thursday
# 2026-02-05, so "Top posts of the week" is 2026-01-26 to 2026-02-01 (posts of the running week
# and the week before must not show, however many interactions they have). By interactions:
# t0 (its permalink a `javascript:` URL: not a link, not shown), v0 (a title to escape),
# v1 (tests/mart_fixtures.py, given a permalink here), p0, and p9 last (interactions unknown;
# an http(s) permalink hiding a bidi override: not a link). Disclosure per campaign, with the
# posts of tests/mart_fixtures.py: camp1 has 4 sponsored posts, 2 disclosed (v0, v2; t1 weak,
# t0 undisclosed): 50%; camp2 1, weakly disclosed (p0): 0%; camp3 none: no rate.
WEEK_POSTS_ROWS = """
UPDATE marts.fct_post SET permalink = 'https://www.youtube.com/watch?v=v1'
WHERE post_id = 'youtube:v1';
INSERT INTO marts.fct_post BY NAME
SELECT *, split_part(post_id, ':', 2) AS platform_post_id,
       left(published_at, 10)::DATE AS published_date, DATE '2026-02-05' AS metrics_snapshot_date,
       campaign_id IS NOT NULL AS is_sponsored
FROM (VALUES
 ('tiktok:t0', 'tiktok:k3', 'cr3', 'tiktok', '2026-01-27 09:00:00+00', 'video', 4000, 600,
  400, 5000, 80000, 0.0333, 'camp1', 'undisclosed', NULL, 'Latte art <img src=x onerror=alert(1)>',
  'javascript:alert(1)'),
 ('youtube:v0', 'youtube:c1', 'cr1', 'youtube', '2026-01-28 17:00:00+00', 'video', 800, 100,
  NULL, 900, 20000, 0.18, 'camp1', 'disclosed', 'Unboxing <the> "best" grinder', 'Caption',
  'https://www.youtube.com/watch?v=v0&t=1'),
 ('instagram:p0', 'instagram:a2', 'cr2', 'instagram', '2026-01-31 07:00:00+00', 'reel', 35, 5,
  NULL, 40, NULL, 0.05, 'camp2', 'weak_disclosure', NULL, 'Morning routine #sp',
  'https://www.instagram.com/p/p0/'),
 ('instagram:p9', 'instagram:a2', 'cr2', 'instagram', '2026-01-26 12:00:00+00', 'image', NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, 'not_sponsored', NULL, 'Bidi post',
  'https://www.instagram.com/p/' || chr(8238) || 'gpj.exe'),
 ('youtube:v9', 'youtube:c1', 'cr1', 'youtube', '2026-01-20 10:00:00+00', 'video', 90000, 9999,
  NULL, 99999, 900000, 19.6, NULL, 'not_sponsored', 'The week before', NULL,
  'https://www.youtube.com/watch?v=v9')
) AS p(post_id, account_id, creator_id, platform, published_at, post_type, likes, comments,
       shares, interactions, views, engagement_rate, campaign_id, disclosure_status, title,
       caption, permalink);
"""


# Every SPEC 5.1 mart, small and hand-made (tables from the dbt contract, tests/mart_fixtures.py),
# with names that test escaping (HTML) and formula injection (Excel), and a count column whose
# name ends in "_rate" (posts_with_rate: a count, not a rate).
FULL_MARTS_ROWS = (
    """
INSERT INTO marts.dim_creator BY NAME
SELECT *, 1 AS accounts FROM (VALUES
 ('cr1', 'Ada Lovelace', 'micro', 'youtube', 'active', 'Maya', 'GB', 'tech', '2025-06-01',
  'youtube:c1'),
 ('cr2', 'Bo "Beats" Chen', 'nano', 'instagram', 'active', 'Maya', 'US', 'music', '2025-09-15',
  'instagram:a2'),
 ('cr3', 'Cleo <Cooks> & Co', 'macro', 'tiktok', 'active', 'Sam', 'FR', 'food', '2024-11-01',
  'tiktok:k3'),
 ('cr4', '=SUM(A1)', 'mid-tier', 'instagram', 'paused', 'Sam', 'DE', 'fitness', '2025-01-20',
  'instagram:a4')
) AS c(creator_id, display_name, tier, primary_platform, status, manager, country, niche,
       first_partnered_on, primary_account_id);
INSERT INTO marts.dim_creator_account BY NAME
SELECT 'instagram:a4' AS account_id, 'cr4' AS creator_id, 'instagram' AS platform,
       'four' AS handle, 42000 AS followers, 150 AS following, 220 AS posts_count,
       'mid-tier' AS tier, TIMESTAMPTZ '2026-02-05 00:00:00+00' AS last_refreshed_at,
       'a4' AS platform_account_id, DATE '2026-01-01' AS first_snapshot_date,
       DATE '2026-02-05' AS last_snapshot_date;
INSERT INTO marts.fct_account_daily BY NAME
SELECT account_id, split_part(account_id, ':', 1) AS platform,
       DATE '2026-01-01' + i::INTEGER AS date,
       (base + step * i)::BIGINT AS followers, following::BIGINT AS following,
       step::BIGINT AS followers_delta,
       (7.0 * step / (base + step * greatest(i - 7, 0)))::DOUBLE AS growth_rate_7d,
       (30.0 * step / (base + step * greatest(i - 30, 0)))::DOUBLE AS growth_rate_30d,
       (i % 3 = 0)::BIGINT AS posts_published, true AS has_snapshot
FROM (VALUES ('youtube:c1', 4700, 12, 12), ('instagram:a2', 720, 2, 300),
             ('tiktok:k3', 149000, 30, 5), ('instagram:a4', 43000, -30, 150))
     AS a(account_id, base, step, following),
     range(36) AS t(i);
INSERT INTO marts.mart_creator_engagement BY NAME
SELECT *, split_part(account_id, ':', 1) AS platform, 3 AS peer_accounts,
       tier_median_engagement_rate AS benchmark_engagement_rate, 'roster_small' AS benchmark_source
FROM (VALUES
 ('youtube:c1', '2026-01-01', 6, 0.041, 0.038, 0.035, 0.041 / 0.035, 2 / 3, 'micro', 6),
 ('youtube:c1', '2026-02-01', 2, 0.0449, 0.0449, 0.0400, 1.1225, 1.0, 'micro', 2),
 ('instagram:a2', '2026-01-01', 4, 0.006, 0.005, 0.052, 0.1154, 0.0, 'nano', 4),
 ('instagram:a2', '2026-02-01', 1, 0.005, 0.005, 0.050, 0.1, 0.0, 'nano', 1),
 ('tiktok:k3', '2026-01-01', 9, 0.02, 0.018, 0.021, 0.9524, 0.5, 'macro', 9),
 ('tiktok:k3', '2026-02-01', 2, 0.0088, 0.0088, 0.019, 0.4632, 0.0, 'macro', 2),
 ('instagram:a4', '2026-01-01', 3, 0.012, 0.011, 0.015, 0.8, 0.33, 'mid-tier', 3),
 ('instagram:a4', '2026-02-01', 0, NULL, NULL, 0.015, NULL, NULL, 'mid-tier', 0)
) AS e(account_id, month, posts, avg_engagement_rate, median_engagement_rate,
       tier_median_engagement_rate, engagement_index, percentile_in_tier, tier, posts_with_rate);
INSERT INTO marts.mart_creator_growth BY NAME
SELECT *, split_part(account_id, ':', 1) AS platform, month::DATE AS first_snapshot_date,
       month::DATE + 27 AS last_snapshot_date, 28 AS snapshots FROM (VALUES
 ('youtube:c1', '2026-01-01', 4700, 5060, 360, 0.0766),
 ('youtube:c1', '2026-02-01', 5072, 5120, 48, 0.0095),
 ('instagram:a2', '2026-01-01', 720, 780, 60, 0.0833),
 ('tiktok:k3', '2026-01-01', 149000, 149900, 900, 0.0060),
 ('instagram:a4', '2026-01-01', 43000, 42100, -900, -0.0209)
) AS g(account_id, month, followers_start, followers_end, net_new_followers, growth_rate);
INSERT INTO marts.mart_campaign_roi BY NAME
SELECT *,
 CASE campaign_id WHEN 'camp1' THEN 900.00 ELSE 0 END AS commission_usd,
 CASE campaign_id WHEN 'camp1' THEN 600.00 ELSE 0 END AS commission_paid_usd,
 CASE campaign_id WHEN 'camp1' THEN 300.00 ELSE 0 END AS commission_outstanding_usd
FROM (VALUES
 ('camp1', 5000.00, 2500.00, 2, 69000, 2955, 120, 90, 30, 9000.00, 9240.00, 50, 3600.00, 477.5,
  72.4638, 1.6920, 41.6667, 100.0, 1.8, 0.8, 'Spring launch', 2, 2, 6000.00),
 ('camp2', 3000.00, 3000.00, 1, 1000, 40, 3, 3, 0, 150.00, 150.00, 1, 50.00, 10.4, 3000.0,
  75.0, 1000.0, 3000.0, 0.05, -0.95, 'Summer <sale>', 1, 1, 4000.00),
 ('camp3', 0.00, 0.00, 0, NULL, NULL, 0, 0, 0, 0.00, 0.00, 0, 0.00, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, 'Gifting only', 0, 0, 500.00)
) AS r(campaign_id, spend_committed_usd, spend_paid_usd, posts_delivered, views, interactions,
       orders, orders_by_code, orders_by_link, revenue_usd, gross_revenue_usd, new_customers,
       new_customer_revenue_usd, emv_usd, cpm_usd, cpe_usd, cpa_usd, cost_per_new_customer_usd,
       roas, roi, campaign_name, contracts, creators, budget_usd);
INSERT INTO marts.mart_campaign_creator_roi BY NAME
SELECT *, 1 AS contracts,
 CASE WHEN campaign_id = 'camp1' AND creator_id = 'cr1' THEN 600.00
      WHEN campaign_id = 'camp1' THEN 300.00 ELSE 0 END AS commission_usd,
 CASE WHEN campaign_id = 'camp1' AND creator_id = 'cr1' THEN 600.00 ELSE 0 END
   AS commission_paid_usd,
 CASE WHEN campaign_id = 'camp1' AND creator_id = 'cr3' THEN 300.00 ELSE 0 END
   AS commission_outstanding_usd
FROM (VALUES
 ('camp1', 'cr1', 2000.00, 1000.00, 1, 9000, 325, 80, 60, 20, 6000.00, 6160.00, 30, 2200.00, 92.5,
  222.2222, 6.1538, 25.0, 66.6667, 3.0, 2.0),
 ('camp1', 'cr3', 3000.00, 1500.00, 1, 60000, 2630, 40, 30, 10, 3000.00, 3080.00, 20, 1400.00,
  385.0, 50.0, 1.1407, 75.0, 150.0, 1.0, 0.0),
 ('camp2', 'cr2', 3000.00, 3000.00, 1, 1000, 40, 3, 3, 0, 150.00, 150.00, 1, 50.00, 10.4,
  3000.0, 75.0, 1000.0, 3000.0, 0.05, -0.95)
) AS r(campaign_id, creator_id, spend_committed_usd, spend_paid_usd, posts_delivered, views,
       interactions, orders, orders_by_code, orders_by_link, revenue_usd, gross_revenue_usd,
       new_customers, new_customer_revenue_usd, emv_usd, cpm_usd, cpe_usd, cpa_usd,
       cost_per_new_customer_usd, roas, roi);
INSERT INTO marts.mart_quality_flags BY NAME
SELECT * FROM (VALUES
 ('f1', 'follower_spike', 'high', 'cr2', 'instagram:a2', NULL, '2026-01-20', 9.4, 3.5,
  '{"followers_delta": 2400, "median_delta": 2, "engagement_after": 0.004}', 'account',
  'instagram:a2', true),
 ('f2', 'undisclosed_sponsorship', 'medium', 'cr3', 'tiktok:k3', 'tiktok:t1', '2026-02-04',
  NULL, NULL, '{"campaign_id": "camp1", "signals": ["#acmespring"]}', 'post', 'tiktok:t1',
  true),
 ('f3', 'weak_disclosure', 'low', 'cr1', 'youtube:c1', 'youtube:v2', '2026-02-03', NULL, NULL,
  '{"tokens": ["#sp"]}', 'post', 'youtube:v2', true),
 ('f4', 'late_payment', 'medium', 'cr1', NULL, NULL, '2026-01-28', 12, 0,
  '{"payment_id": "pay_7", "due_on": "2026-01-16"}', 'payment', 'pay_7', true),
 ('f5', 'inactive_partner', 'low', 'cr4', NULL, NULL, '2026-02-05', 41, 30,
  '{"last_post_on": "2025-12-26"}', 'creator', 'cr4', true),
 ('f6', 'follower_drop', 'high', 'cr2', 'instagram:a2', NULL, '2025-12-01', 0.12, 0.05,
  '{"lost": 98}', 'account', 'instagram:a2', false)
) AS f(flag_id, flag_type, severity, creator_id, account_id, post_id, detected_on, metric_value,
       threshold, evidence, subject_kind, subject_id, is_open);
INSERT INTO marts.mart_relationship_health BY NAME
SELECT * FROM (VALUES
 ('cr1', 249, 1, '2026-02-02 09:30:00+01', 3, 0.9, 1.0, 0.5, 78.5, 'healthy', 8, 1, 0.0, 'camp1',
  6000.00, 2.0, NULL, NULL),
 ('cr2', 143, 1, '2026-01-10 17:00:00+00', 26, 0.5, 1.0, 1.0, 61.0, 'needs_attention', 4, 1, 0.0,
  'camp2', 150.00, -0.95, NULL, NULL),
 ('cr3', 461, 1, '2026-02-04 12:00:00+00', 1, 1.0, 0.0, NULL, 55.25, 'needs_attention', 15, 1,
  0.0, 'camp1', 3000.00, 0.0, NULL, NULL),
 ('cr4', 381, 0, '2025-11-01 08:00:00+00', 96, 0.2, NULL, NULL, 12.0, 'at_risk', 12, 0, NULL,
  NULL, NULL, NULL, NULL, NULL)
) AS h(creator_id, partnership_days, campaigns, last_touchpoint_at, days_since_touchpoint,
       response_rate, on_time_delivery_rate, on_time_payment_rate, health_score, health_band,
       months_since_first_partnership, campaigns_done, repeat_campaign_rate, first_campaign_id,
       first_campaign_revenue_usd, first_campaign_roi, later_campaigns_revenue_usd,
       later_campaigns_roi);
INSERT INTO marts.mart_creator_scorecard BY NAME
SELECT * FROM (VALUES
 ('cr1', 'micro', 1.1225, 0.0725, 2.0, 2, 78.5, 81.2, 1, 0.42, 120, 8, 1, 0.0, 2.0, NULL),
 ('cr3', 'macro', 0.4632, 0.0060, 0.0, 1, 55.25, 52.0, 2, -0.1, 40, 15, 1, 0.0, 0.0, NULL),
 ('cr2', 'nano', 0.1, 0.0833, -0.95, 1, 61.0, 33.3, 3, NULL, 0, 4, 1, 0.0, -0.95, NULL),
 ('cr4', 'mid-tier', NULL, -0.0209, NULL, 1, 12.0, NULL, NULL, NULL, 0, 12, 0, NULL, NULL, NULL)
) AS s(creator_id, tier, engagement_index, growth_rate_30d, roi, open_flags, health_score,
       score, rank, audience_net_sentiment, audience_comments_scored,
       months_since_first_partnership, campaigns_done, repeat_campaign_rate, first_campaign_roi,
       later_campaigns_roi);
INSERT INTO marts.mart_creator_sentiment BY NAME
SELECT * FROM (VALUES
 ('cr1', '2026-01-01', 50, 60, 0.6, 0.1, 0.5, NULL, 0.5, 0, 50),
 ('cr1', '2026-02-01', 4, 5, 0.5, 0.25, 0.25, -1.0, 0.6667, 1, 3),
 ('cr3', '2026-02-01', 3, 3, 0.0, 0.3333, -0.3333, -0.3333, NULL, 3, 0)
) AS s(creator_id, month, comments_scored, comments_fetched, positive_share, negative_share,
       net_sentiment, net_sentiment_sponsored, net_sentiment_organic, comments_scored_sponsored,
       comments_scored_organic);
"""
    + WEEK_COMMENTS_ROWS
    + LISTENING_ROWS
    + WEEK_POSTS_ROWS
)

# The other marts of the contract (`warehouse()` makes fct_post and dim_creator_account).
FULL_MARTS = MartRows(None, FULL_MARTS_ROWS)


@pytest.fixture
def full_marts(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every SPEC mart published; returns the BI copy. The warehouse is built and published
    once per test run (about 0.8 s, and some fifty tests ask for it); each test gets a copy of
    both in its own data root (tests/prepared.py)."""
    prepared_copy(tmp_path_factory, "full-marts", _publish_full_marts, into=settings.data_root)
    return settings.published_path


def _publish_full_marts(data_root: Path) -> None:
    from warehouse.publish import publish_marts

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IRM_DATA_ROOT", str(data_root))
        for variable in OVERRIDES:
            patch.delenv(variable, raising=False)
        build_warehouse(get_settings().warehouse_path, ACCOUNTS_AND_POSTS, FULL_MARTS)
        publish_marts()
