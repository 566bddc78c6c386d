-- Each YouTube or TikTok post's latest comment fetch (SPEC 5.5): whether its comments were
-- listed, disabled or the post was gone, how many were listed, and whether the listing was
-- complete (every comment fetched: no cap reached, no quota stop). A post not asked on a day
-- (outside the refresh window, or a quota stop) has no fetch that day; its latest one stands.

{%- set platforms = ['youtube', 'tiktok'] %}

with

unioned as (

    {% for platform in platforms %}
    select
        '{{ platform }}:' || video_id as post_id,
        '{{ platform }}' as platform,
        video_id as platform_post_id,
        status,
        comments_listed,
        is_complete,
        snapshot_date,
        extracted_at
    from {{ ref('stg_' ~ platform ~ '__comment_fetches') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

latest as (

    {{ latest_record('unioned', ['post_id'], 'snapshot_date desc, extracted_at desc') }}

),

final as (

    select
        post_id,
        platform,
        platform_post_id,
        status as fetch_status,
        comments_listed,
        is_complete,
        snapshot_date as fetched_on
    from latest

)

select * from final
