{#-
    latest_record('unioned', ['account_id', 'snapshot_date']): a query keeping one row per
    `grain` of a relation (a CTE name or a ref), the first in `order_by` (by default the latest
    extraction: a record delivered twice keeps its latest read; between reads at the same
    instant, any one). The columns are the relation's, in its order. `distinct on` is the same
    on DuckDB and PostgreSQL. Used wherever a model keeps the latest version of something: the
    daily snapshots (int_account_snapshots, int_post_metric_snapshots), the current account and
    comment version of a day (int_accounts_current, int_comment_versions) and the CRM exports
    (latest_crm_export).
-#}
{% macro latest_record(relation, grain, order_by='extracted_at desc') -%}
    select distinct on ({{ grain | join(', ') }}) *
    from {{ relation }}
    order by {{ grain | join(', ') }}, {{ order_by }}
{%- endmacro %}

{#-
    union_all(['youtube', 'instagram', 'tiktok']): the rows of the relations (CTEs of one
    shape, e.g. one per platform) stacked with `union all`.
-#}
{% macro union_all(relations) -%}
    {%- for relation in relations %}
    select * from {{ relation }}
    {{- "\n    union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
