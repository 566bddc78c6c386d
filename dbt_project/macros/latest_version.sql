{#-
    latest_version_per_key('int_post_metric_snapshots', 'post_id'): a whole model keeping the
    latest row of each `key` of a history model (the latest snapshot_date, then the latest
    extracted_at), with the history model's columns and, when `first_snapshot_as` names it, a
    last column holding the key's earliest snapshot_date. For the incremental models keyed by
    post, comment or order (int_post_latest_snapshots, int_comment_latest_versions,
    int_shop__order_latest_versions), which it configures (incremental_by_key: delete+insert on
    the key, a post hook removing the keys whose history is gone): on an incremental run it
    ranks only the keys with a row in the days the history model re-derives (this model's
    newest snapshot_date less `refresh_lookback_days`: incremental_lookback) or whose latest
    row here lies in those days (a re-loaded partition may have lost it), each over its whole
    history, so the rows it replaces equal a full refresh's.

    It reads the history model itself, by name, rather than a CTE of the calling model: the
    query reads it more than once, and DuckDB materializes a CTE read twice, copying the whole
    history before filtering it (18.9 M snapshots at medium scale: int_post_latest_snapshots
    took 10.2 s of a daily build at 181 days, 0.7 s reading the model directly). The latest
    row is a `distinct on` (the columns stay the history model's, with no rank column to drop);
    the first date, where asked for, an aggregate joined to it (a window over the whole history
    beside `distinct on` took a third longer in DuckDB). Against the `row_number()` ranking it
    replaced, on 9 M synthetic history rows in DuckDB 2.0 (2 threads, a busy machine, best of
    six): 10 % longer for one row per key, 20 % with the first date, on a full build; an
    incremental run ranks only the re-derived keys. DuckDB's `qualify row_number() ... = 1`
    kept the old time, but PostgreSQL has no QUALIFY.
-#}
{% macro latest_version_per_key(model, key, first_snapshot_as=none) -%}
    {{ irm.incremental_by_key(key, model) }}
    {%- set keys_to_rank -%}
        {%- if is_incremental() %}
        where history.{{ key }} in (
            select {{ key }} from {{ ref(model) }}
            where {{ irm.incremental_lookback('snapshot_date') }}
            union
            select {{ key }} from {{ this }}
            where {{ irm.incremental_lookback('snapshot_date') }}
        )
        {%- endif %}
    {%- endset %}
    select
        latest.*
        {%- if first_snapshot_as %},
        firsts.first_snapshot_date as {{ first_snapshot_as }}
        {%- endif %}
    from (
        select distinct on (history.{{ key }}) history.*
        from {{ ref(model) }} as history
        {{- keys_to_rank }}
        order by history.{{ key }}, history.snapshot_date desc, history.extracted_at desc
    ) as latest
    {%- if first_snapshot_as %}
    inner join (
        select
            history.{{ key }},
            min(history.snapshot_date) as first_snapshot_date
        from {{ ref(model) }} as history
        {{- keys_to_rank }}
        group by history.{{ key }}
    ) as firsts using ({{ key }})
    {%- endif %}
{%- endmacro %}

{#-
    incremental_by_key('post_id', 'int_posts'): the configuration of the incremental models
    keyed by post, comment or order (int_post_texts, and the latest-version models through
    latest_version_per_key): each run replaces the rows of the keys it derives again
    (delete+insert on `key`), and a post hook removes the keys that left `kept_while_in` (a
    re-loaded partition without them), so the table equals a full refresh.
-#}
{% macro incremental_by_key(key, kept_while_in) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=key,
        on_schema_change='sync_all_columns',
        post_hook="delete from {{ this }} where " ~ key ~ " not in (select " ~ key
            ~ " from {{ ref('" ~ kept_while_in ~ "') }})"
    ) }}
{%- endmacro %}
