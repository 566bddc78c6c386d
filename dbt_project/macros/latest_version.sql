{#-
    latest_version_per_key('int_post_metric_snapshots', 'post_id'): a query keeping the latest
    row of each `key` of a history model (the latest snapshot_date, then the latest
    extracted_at), with `first_snapshot_date`, the key's earliest snapshot_date, and
    `version_rank` (always 1). For the incremental models keyed by post, comment or order
    (int_post_latest_snapshots, int_comment_latest_versions, int_shop__order_latest_versions):
    on an incremental run it ranks only the keys with a row in the days the history model
    re-derives (this model's newest snapshot_date less `refresh_lookback_days`:
    incremental_lookback) or whose latest row here lies in those days (a re-loaded partition
    may have lost it), each over its whole history, so the rows it replaces (delete+insert on
    the key) equal a full refresh's. The model removes the keys whose history is gone with a
    post hook.

    It reads the history model itself, by name, rather than a CTE of the calling model: the
    query reads it twice, and DuckDB materializes a CTE read twice, copying the whole history
    before filtering it (18.9 M snapshots at medium scale: int_post_latest_snapshots took
    10.2 s of a daily build at 181 days, 0.7 s reading the model directly).
-#}
{% macro latest_version_per_key(model, key) -%}
    select * from (
        select
            history.*,
            min(history.snapshot_date) over (
                partition by history.{{ key }}
            ) as first_snapshot_date,
            row_number() over (
                partition by history.{{ key }}
                order by history.snapshot_date desc, history.extracted_at desc
            ) as version_rank
        from {{ ref(model) }} as history
        {%- if is_incremental() %}
        where history.{{ key }} in (
            select {{ key }} from {{ ref(model) }}
            where {{ irm.incremental_lookback('snapshot_date') }}
            union
            select {{ key }} from {{ this }}
            where {{ irm.incremental_lookback('snapshot_date') }}
        )
        {%- endif %}
    ) as ranked
    where version_rank = 1
{%- endmacro %}
