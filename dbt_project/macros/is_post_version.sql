{#-
    is_post_version('changed', 'videos', 'youtube', 'video_id'): the join condition that picks,
    from a platform's staging model (`record`), the landed version of a post that `post` names
    (its platform, platform_post_id, text_snapshot_date and text_extracted_at). Used by
    int_post_texts, once per platform.
-#}
{% macro is_post_version(post, record, platform, id_column) -%}
    {{ post }}.platform = '{{ platform }}'
    and {{ post }}.platform_post_id = {{ record }}.{{ id_column }}
    and {{ post }}.text_snapshot_date = {{ record }}.snapshot_date
    and {{ post }}.text_extracted_at = {{ record }}.extracted_at
{%- endmacro %}
