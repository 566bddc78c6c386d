-- Each comment's latest version (the latest date, then the latest extraction: likes and
-- replies grow) and the first day it was listed, one row per comment: what int_comments
-- scores and ties to its post.
--
-- Incremental, keyed by comment (issue 21), as int_post_latest_snapshots is by post: a run
-- looks again only at the comments with a version in the days int_comment_versions
-- re-derives (this model's newest version date, which is that model's, less
-- `refresh_lookback_days`), or whose latest version here lies in those days (a re-loaded
-- partition may have lost it); their whole history comes from int_comment_versions, so
-- first_listed_on stays exact. A comment whose versions all left is removed by the post hook:
-- the table equals a full refresh (tests/dbt: test_incremental_equals_full_refresh).
-- The model, its configuration included, is macros/latest_version.sql; first_listed_on is its
-- last column, after int_comment_versions'.

{{ latest_version_per_key(
    'int_comment_versions', 'comment_id', first_snapshot_as='first_listed_on'
) }}
