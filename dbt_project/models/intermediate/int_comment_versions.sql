{{ history_by_day() }}

-- Every listed version of every top-level YouTube or TikTok comment, one row per comment and
-- day it was listed (the latest extraction of that day): the comments' history, typed once.
--
-- Incremental (issue 21): each run parses only the last `refresh_lookback_days` days of the
-- staging views (their JSON payloads), each day replaced whole (delete+insert by
-- snapshot_date, so a comment missing from a re-loaded partition leaves that day, as in a full
-- refresh). int_comment_latest_versions keeps each comment's latest version from it.

{%- set platforms = ['youtube', 'tiktok'] %}

with

{% for platform in platforms %}
{{ platform }}_comments as ({{ snapshots_to_rederive('stg_' ~ platform ~ '__comments') }}),
{% endfor %}

unioned as (

    {% for platform in platforms %}
    select
        '{{ platform }}:' || comment_id as comment_id,
        '{{ platform }}:' || video_id as post_id,
        '{{ platform }}' as platform,
        comment_id as platform_comment_id,
        video_id as platform_post_id,
        author_handle,
        text,
        like_count,
        reply_count,
        published_at,
        snapshot_date,
        extracted_at
    from {{ platform }}_comments
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    {{ latest_record('unioned', ['comment_id', 'snapshot_date']) }}

)

select * from final
