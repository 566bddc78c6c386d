-- Each post's latest metric snapshot (the latest date, then the latest extraction), one row
-- per post: the metrics int_posts carries.
--
-- Incremental, keyed by post (issue 21: ranking every snapshot of every post at each build
-- was the daily build's costliest model, 26 s at 90 days of medium history and 48 s at 180).
-- A run re-ranks only the posts with a snapshot in the days int_post_metric_snapshots
-- re-derives (this model's newest snapshot date, which is that model's, less
-- `refresh_lookback_days`), or whose latest snapshot here lies in those days (a re-loaded
-- partition may have lost it). A post whose snapshots all left (a re-loaded partition
-- without its only record) is removed by the post hook, so the table always equals a full
-- refresh (tests/dbt: test_incremental_equals_full_refresh).
-- The model, its configuration included, is macros/latest_version.sql.

{{ latest_version_per_key('int_post_metric_snapshots', 'post_id') }}
