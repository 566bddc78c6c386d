{#-
    Several columns' value checks in one scan of the model: `not_null` columns hold no NULL,
    `non_negative` columns no value below zero (NULLs pass: unknown is not negative). One row per
    failing column: its name, the check and how many rows break it (`dbt show --select <test>`
    lists them; a transform that fails on a test says that command).

    Why one test for many columns (every model and seed): a per-column test is a dbt node of
    its own, about 18 ms of dbt's overhead each whatever the data, and a scan of its own; on a
    staging view every scan parses the landed JSON again, and on an ephemeral model it computes
    the whole model again. On a mart, the contract's reader (warehouse/mart_contract.py) reads
    it as one not_null or non_negative test per column, so the mart checks and the docs still
    see each column's checks; a test with another severity is a second column_checks.
-#}
{% test column_checks(model, not_null=[], non_negative=[]) %}
{%- set checks = [] -%}
{%- for column in not_null -%}
    {% do checks.append(('not_null', column, column ~ ' is null')) %}
{%- endfor -%}
{%- for column in non_negative -%}
    {% do checks.append(('non_negative', column, column ~ ' < 0')) %}
{%- endfor -%}
{%- if not checks -%}
    {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": name a column") }}
{%- endif -%}
{%- set counts = [] -%}
{%- for check, column, failing in checks -%}
    {% do counts.append('sum(case when ' ~ failing ~ ' then 1 else 0 end) as failing_' ~ loop.index) %}
{%- endfor %}

with counts as (
    select {{ counts | join(',\n        ') }}
    from {{ model }}
)

{% for check, column, failing in checks -%}
    select
        '{{ column }}' as column_name,
        '{{ check }}' as check_name,
        failing_{{ loop.index }} as failing_rows
    from counts
    where failing_{{ loop.index }} > 0
    {% if not loop.last %}union all{% endif %}
{% endfor %}

{% endtest %}
