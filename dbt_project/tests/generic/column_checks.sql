{#-
    Several columns' value checks in one scan of the model:
    - `not_null` columns hold no NULL;
    - `non_negative` columns no value below zero (NULLs pass: unknown is not negative);
    - `unique` columns, each on its own, no value twice (NULLs pass, as with dbt's `unique`);
      its failing rows are the rows beyond each value's first: count(col) - count(distinct col);
    - `unique_combination` (`[column, ...]`, the model's grain) no combination of those columns
      twice; NULLs compare equal, as in a GROUP BY (the unique_combination_of_columns test this
      replaced did so); its failing rows are the rows beyond each combination's first;
    - `accepted_values` (`{column: [values, ...]}`) columns no value outside the column's list
      (NULLs pass, as with dbt's `accepted_values`). The values are written as quoted text, as
      dbt's `accepted_values` writes them by default (`quote: true`); a list to compare
      unquoted stays a dbt `accepted_values` test with `quote: false`.
    One row per failing check: the column's name, the check and how many rows break it (`dbt
    show --select <test>` lists them; a transform that fails on a test says that command).

    Why one test for many columns (every model and seed): a per-column test is a dbt node of
    its own, about 18 ms of dbt's overhead each whatever the data, and a scan of its own; on a
    staging view every scan parses the landed JSON again, and on an ephemeral model it computes
    the whole model again. On a mart, the contract's reader (warehouse/mart_contract.py) reads
    it as one not_null, non_negative, unique or accepted_values test per column (and the grain as
    the model's key), so the mart checks and the docs still see each column's checks; a test
    with another severity or `where` is a second column_checks.
-#}
{% test column_checks(model, not_null=[], non_negative=[], unique=[], accepted_values={},
                      unique_combination=[]) %}
{%- set checks = [] -%}
{%- for column in not_null -%}
    {% do checks.append(('not_null', column,
                         'sum(case when ' ~ column ~ ' is null then 1 else 0 end)')) %}
{%- endfor -%}
{%- for column in non_negative -%}
    {% do checks.append(('non_negative', column,
                         'sum(case when ' ~ column ~ ' < 0 then 1 else 0 end)')) %}
{%- endfor -%}
{%- for column in unique -%}
    {% do checks.append(('unique', column,
                         'count(' ~ column ~ ') - count(distinct ' ~ column ~ ')')) %}
{%- endfor -%}
{%- if unique_combination is string -%}
    {{ exceptions.raise_compiler_error("column_checks on " ~ model
        ~ ": unique_combination is a list of columns") }}
{%- endif -%}
{%- if unique_combination -%}
    {%- set grain = unique_combination | join(', ') -%}
    {% do checks.append(('unique_combination', grain,
                         '(select coalesce(sum(n - 1), 0) from (select count(*) as n from '
                         ~ model ~ ' group by ' ~ grain ~ ' having count(*) > 1) as repeats)')) %}
{%- endif -%}
{%- if accepted_values is not mapping -%}
    {{ exceptions.raise_compiler_error("column_checks on " ~ model
        ~ ": accepted_values maps each column to its list of values") }}
{%- endif -%}
{%- for column, values in accepted_values.items() -%}
    {%- if values is string or values is mapping or not values -%}
        {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": accepted_values of "
            ~ column ~ " must be a list of values") }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {% do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") %}
    {%- endfor -%}
    {% do checks.append(('accepted_values', column,
                         'sum(case when ' ~ column ~ ' not in (' ~ quoted | join(', ')
                         ~ ') then 1 else 0 end)')) %}
{%- endfor -%}
{%- if not checks -%}
    {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": name a column") }}
{%- endif -%}
{%- set counts = [] -%}
{%- for check, column, failing in checks -%}
    {% do counts.append(failing ~ ' as failing_' ~ loop.index) %}
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
