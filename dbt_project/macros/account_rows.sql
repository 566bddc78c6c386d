{#-
    youtube_account_rows('channels') and tiktok_account_rows('tiktok_users'): the select of a
    relation of staged channels.list resources or user/info answers in the warehouse's one
    account shape (account_id, platform, platform_account_id, snapshot_date, extracted_at,
    handle, display_name, followers, following, posts_count). Written once for the roster's
    accounts (int_account_snapshots) and the accounts listening found off the roster
    (int_discovered_accounts).

    account_id: `youtube:<channel id>`, `tiktok:<username>` (the Research API returns no user
    id; usernames compared lower-case without '@': macros/text/normalize_handle.sql).
-#}
{% macro youtube_account_rows(relation) -%}
    select
        'youtube:' || channel_id as account_id,
        'youtube' as platform,
        channel_id as platform_account_id,
        snapshot_date,
        extracted_at,
        handle,
        title as display_name,
        -- a hidden subscriber count is unknown, also when an older response still sends "0"
        case
            when is_subscriber_count_hidden then null
            else subscriber_count
        end as followers,
        cast(null as bigint) as following,
        video_count as posts_count
    from {{ relation }}
{%- endmacro %}

{% macro tiktok_account_rows(relation) -%}
    select
        'tiktok:' || {{ irm.normalize_handle('username') }} as account_id,
        'tiktok' as platform,
        {{ irm.normalize_handle('username') }} as platform_account_id,
        snapshot_date,
        extracted_at,
        {{ irm.normalize_handle('username') }} as handle,
        display_name,
        follower_count as followers,
        following_count as following,
        video_count as posts_count
    from {{ relation }}
{%- endmacro %}
