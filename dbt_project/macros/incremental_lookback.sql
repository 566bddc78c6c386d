{#-
    incremental_lookback(column, target_column=none, extra_days=0): a WHERE predicate for the
    incremental models. On an incremental run it keeps the rows whose `column` is on or after
    the latest `target_column` (default: `column`) already in the model minus
    `refresh_lookback_days` (a var) minus `extra_days`; otherwise (first build, full refresh,
    unit tests) it is `true`. With delete+insert on the model's unique key this re-derives the
    last days, so late records (a partition re-loaded, a post first seen a day late) land.
-#}
{% macro incremental_lookback(column, target_column=none, extra_days=0) -%}
    {%- if is_incremental() -%}
        {{ column }} >= (
            select
                {{ irm.add_days(
                    "coalesce(max(" ~ (target_column or column) ~ "), cast('1900-01-01' as date))",
                    -(var('refresh_lookback_days') | int) - (extra_days | int)
                ) }}
            from {{ this }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
    snapshots_to_rederive('stg_youtube__channels'): the rows of a staging model that an
    incremental run re-derives (incremental_lookback on snapshot_date; every row otherwise), as
    a query: the one-line import CTE of int_account_snapshots and int_post_metric_snapshots.
-#}
{% macro snapshots_to_rederive(staging_model) -%}
    select * from {{ ref(staging_model) }} where {{ irm.incremental_lookback('snapshot_date') }}
{%- endmacro %}

{#-
    history_by_day(): the configuration of the history models keyed by day
    (int_post_metric_snapshots, int_comment_versions, int_shop__order_versions,
    int_shop__order_code_versions): incremental, each re-derived day (snapshots_to_rederive)
    replaced whole by delete+insert on snapshot_date, so a record missing from a re-loaded
    partition leaves that day, as in a full refresh.
-#}
{% macro history_by_day() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='snapshot_date',
        on_schema_change='sync_all_columns'
    ) }}
{%- endmacro %}
