{#-
    tiktok_video_fields(): the columns of a Research API video (`video/query` item) after its
    ids and snapshot, typed once for the roster's videos and the videos a term's query found:
    publication time (create_time, Unix seconds), description, region, hashtags and the counts.
-#}
{% macro tiktok_video_fields() -%}
{{ irm.from_unix_seconds(irm.json_text('payload', 'create_time')) }} as published_at,
        {{ irm.json_text('payload', 'video_description') }} as video_description,
        {{ irm.json_text('payload', 'region_code') }} as region_code,
        {{ irm.json_fragment('payload', 'hashtag_names') }} as hashtag_names,

        -- counts (JSON numbers); absent = NULL
        cast({{ irm.json_text('payload', 'view_count') }} as bigint) as view_count,
        cast({{ irm.json_text('payload', 'like_count') }} as bigint) as like_count,
        cast({{ irm.json_text('payload', 'comment_count') }} as bigint) as comment_count,
        cast({{ irm.json_text('payload', 'share_count') }} as bigint) as share_count
{%- endmacro %}
