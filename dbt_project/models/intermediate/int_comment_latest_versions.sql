{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='comment_id',
        on_schema_change='sync_all_columns',
        post_hook="delete from {{ this }} where comment_id not in (select comment_id from {{ ref('int_comment_versions') }})"
    )
}}

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

with

latest as (

    {{ latest_version_per_key('int_comment_versions', 'comment_id') }}

),

final as (

    select
        comment_id,
        post_id,
        platform,
        platform_comment_id,
        platform_post_id,
        author_handle,
        text,
        like_count,
        reply_count,
        published_at,
        first_snapshot_date as first_listed_on,
        snapshot_date,
        extracted_at
    from latest

)

select * from final
