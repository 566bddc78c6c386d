{#-
    flaggable_posts(): the posts the caption flags read (brand_safety, competitor_mention): a
    post whose account is resolved (int_posts), with its normalised text (int_post_texts).
-#}
{% macro flaggable_posts() -%}
    select
        int_posts.post_id,
        int_posts.account_id,
        int_posts.published_date,
        int_post_texts.match_text
    from {{ ref('int_posts') }} as int_posts
    inner join {{ ref('int_post_texts') }} as int_post_texts using (post_id)
    where int_posts.account_id is not null
{%- endmacro %}
