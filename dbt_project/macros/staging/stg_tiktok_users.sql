{#-
    stg_tiktok_users('users'): the whole staging model of a table of Research API `user/info`
    answers, the same for the roster's users (`raw.tiktok_users`) and the authors the day's
    query videos found off the roster (`raw.tiktok_discovered_users`): one row per username per
    day. Staging shape: a `source` CTE, then `renamed`.
-#}
{% macro stg_tiktok_users(table_name) -%}
with

source as (select * from {{ irm.raw_source('tiktok', table_name) }}),

renamed as (

    select
        -- ids: the Research API returns no user id, so the username is the key: the roster's
        -- username as the extractor asked for it, or an author's as the day's query videos name
        -- it (int_account_snapshots compares it lower-case without a leading '@')
        record_key as username,

        -- snapshot
        dt as snapshot_date,
        extracted_at,

        -- profile
        {{ irm.json_text('payload', 'display_name') }} as display_name,
        {{ irm.json_text('payload', 'bio_description') }} as bio_description,
        cast({{ irm.json_text('payload', 'is_verified') }} as boolean) as is_verified,

        -- counts (JSON numbers); absent = NULL
        cast({{ irm.json_text('payload', 'follower_count') }} as bigint) as follower_count,
        cast({{ irm.json_text('payload', 'following_count') }} as bigint) as following_count,
        cast({{ irm.json_text('payload', 'likes_count') }} as bigint) as likes_count,
        cast({{ irm.json_text('payload', 'video_count') }} as bigint) as video_count

    from source

)

select * from renamed
{%- endmacro %}
