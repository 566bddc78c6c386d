"""Small hand-made marts shared by the quality and serving tests (SQL for DuckDB)."""

DIM_CREATOR_ACCOUNT = """
CREATE TABLE marts.dim_creator_account (
    account_id VARCHAR, creator_id VARCHAR, platform VARCHAR, handle VARCHAR, followers BIGINT,
    following BIGINT, posts_count BIGINT, tier VARCHAR, last_refreshed_at TIMESTAMPTZ
);
INSERT INTO marts.dim_creator_account VALUES
 ('youtube:c1', 'cr1', 'youtube', '@one', 5100, 12, 80, 'micro', '2026-02-05 00:00:00+00'),
 ('instagram:a2', 'cr2', 'instagram', 'two', 800, 300, 45, 'nano', '2026-02-05 00:00:00+00'),
 ('tiktok:k3', 'cr3', 'tiktok', 'three', 150100, 5, 410, 'macro', '2026-02-05 00:00:00+00');
"""

FCT_POST = """
CREATE TABLE marts.fct_post (
    post_id VARCHAR, account_id VARCHAR, creator_id VARCHAR, platform VARCHAR,
    published_at TIMESTAMPTZ, post_type VARCHAR, likes BIGINT, comments BIGINT, shares BIGINT,
    saves BIGINT, views BIGINT, interactions BIGINT, followers_at_post BIGINT,
    engagement_rate DOUBLE, engagement_rate_views DOUBLE, campaign_id VARCHAR,
    is_sponsored BOOLEAN, disclosure_status VARCHAR, emv_usd DECIMAL(12, 2)
);
INSERT INTO marts.fct_post VALUES
 ('youtube:v1', 'youtube:c1', 'cr1', 'youtube', '2026-02-01 10:00:00+00', 'video',
  120, 10, NULL, NULL, 4000, 130, 5000, 0.026, 0.0325, NULL, false, 'none', 40.30),
 ('youtube:v2', 'youtube:c1', 'cr1', 'youtube', '2026-02-03 10:00:00+00', 'short',
  300, 25, NULL, NULL, 9000, 325, 5100, 0.0637, 0.0361, 'camp1', true, 'clear', 92.50),
 ('instagram:p1', 'instagram:a2', 'cr2', 'instagram', '2026-02-02 18:30:00+00', 'reel',
  NULL, 4, NULL, NULL, NULL, 4, 800, 0.005, NULL, NULL, false, 'none', 0.10),
 ('tiktok:t1', 'tiktok:k3', 'cr3', 'tiktok', '2026-02-04 08:00:00+00', 'video',
  2500, 90, 40, NULL, 60000, 2630, 150000, 0.0175, 0.0438, 'camp1', true, 'weak', 385.00),
 ('tiktok:t2', 'tiktok:k3', 'cr3', 'tiktok', '2026-02-05 08:00:00+00', 'video',
  0, 0, 0, NULL, 0, 0, 150100, 0.0, NULL, NULL, false, 'none', 0.00);
"""
