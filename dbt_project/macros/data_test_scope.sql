{#-
    Which rows the data tests read: the new ones every day, all of them every week
    (dbt_project/README.md, "Tests", "New rows daily, every row weekly").

    Raw is append-only: a landed partition is never changed, only replaced whole (a corrected
    re-delivery, loaded again) or set aside. A row-level check (not NULL, not negative, an
    accepted value, unique per snapshot date) that passed when its rows were new passes for as
    long as they stand, yet testing all of history at every build made the data tests 59 % of
    the daily build at medium scale, doubling with the history (docs/benchmarks.md).

    So a test whose `where` holds `__tests_since__` (the staging models and the incremental
    models by snapshot date; dbt_project.yml and the models' YAML) reads, when the command runs
    with IRM_DBT_TESTS=new (the transform's dbt task), only the rows dated on or after the
    earliest day loaded since the last whole-project command whose every node passed, less
    `refresh_lookback_days` (the days an incremental model re-derives). It reads everything in
    any other case: IRM_DBT_TESTS unset (a dbt command by hand), a full refresh, no ledger, no
    whole-project test run that passed in the last `full_tests_every_days` days (the weekly
    full test), or a set-aside since (fewer partitions than the last passed run knew).

    audit.data_test_runs keeps one row per `dbt build` or `dbt test` command (the on-run-start
    hook): the scope it chose, the date its new-rows tests started from, the ledger's newest
    load when it started (loads_through) and how many partitions that ledger held; the
    on-run-end hook sets passed_at when every node of a whole-project command succeeded. A
    failed command is never recorded as passed, so the next one tests its days again.
-#}

{% macro tests_command() -%}
    {{- return(flags.WHICH in ('build', 'test')) -}}
{%- endmacro %}

{#- Run `sql` in a transaction of its own, committed: a hook's own statement is not (dbt rolls
    the hook connection back when a lookup before it opened a transaction). -#}
{% macro commit_statement(sql) -%}
    {%- call statement('data_test_runs', auto_begin=true) -%}{{ sql }}{%- endcall -%}
    {%- do adapter.commit() -%}
{%- endmacro %}

{#- The command's selection is the whole project: no --select, --exclude or --selector. -#}
{% macro whole_project_command() -%}
    {%- set args = invocation_args_dict -%}
    {{- return(not (args.get('select') or args.get('exclude') or args.get('selector'))) -}}
{%- endmacro %}

{#- The ledger's newest load time and partition count, or none before the first load. -#}
{% macro ledger_state() -%}
    {%- set ledger = adapter.get_relation(database=target.database, schema='raw',
                                           identifier='_loaded_partitions') -%}
    {%- if ledger is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set row = run_query(
        'select max(loaded_at), count(*) from raw._loaded_partitions'
    ).rows[0] -%}
    {{- return({'loads_through': row[0], 'partitions': row[1]}) -}}
{%- endmacro %}

{#- on-run-start: choose the scope and record it (DuckDB and Postgres speak this SQL alike). -#}
{% macro plan_data_tests() -%}
    {%- if not execute or not irm.tests_command() -%}
        {{- return('') -}}
    {%- endif -%}
    {%- do irm.commit_statement('create schema if not exists audit') -%}
    {%- do irm.commit_statement(
        'create table if not exists audit.data_test_runs ('
        ~ ' invocation_id varchar(64) primary key,'
        ~ ' planned_at timestamp with time zone not null,'
        ~ ' command varchar(16) not null,'
        ~ ' scope varchar(8) not null,'
        ~ ' tests_since date,'
        ~ ' loads_through timestamp with time zone,'
        ~ ' partitions bigint,'
        ~ ' whole_project boolean not null,'
        ~ ' passed_at timestamp with time zone)'
    ) -%}
    {%- set ledger = irm.ledger_state() -%}
    {%- set scope, since = irm.choose_test_scope(ledger) -%}
    {%- if scope == 'new' -%}
        {{ log("data tests: rows dated from " ~ since ~ " on (IRM_DBT_TESTS=new); the older"
               ~ " ones passed before", info=true) }}
    {%- else -%}
        {{ log("data tests: every row", info=true) }}
    {%- endif -%}
    {%- set loads_through = "cast('" ~ ledger.loads_through ~ "' as timestamp with time zone)"
                            if ledger and ledger.loads_through else 'null' -%}
    {%- do irm.commit_statement(
        'insert into audit.data_test_runs (invocation_id, planned_at, command, scope,'
        ~ ' tests_since, loads_through, partitions, whole_project, passed_at) values ('
        ~ "'" ~ invocation_id ~ "', current_timestamp, '" ~ flags.WHICH ~ "', '" ~ scope ~ "', "
        ~ ("cast('" ~ since ~ "' as date)" if since else 'null') ~ ', '
        ~ loads_through ~ ', '
        ~ (ledger.partitions if ledger else 'null') ~ ', '
        ~ ('true' if irm.whole_project_command() else 'false') ~ ', null)'
    ) -%}
    {{- return('') -}}
{%- endmacro %}

{#- ('all', none) or ('new', the first date the new-rows tests read, as YYYY-MM-DD) -#}
{% macro choose_test_scope(ledger) -%}
    {%- if env_var('IRM_DBT_TESTS', 'all') != 'new' or flags.FULL_REFRESH
          or ledger is none or ledger.loads_through is none -%}
        {{- return(('all', none)) -}}
    {%- endif -%}
    {%- set last = run_query(
        "select loads_through, partitions from audit.data_test_runs"
        ~ " where passed_at is not null and loads_through is not null"
        ~ " order by planned_at desc limit 1"
    ).rows -%}
    {%- set last_full = run_query(
        "select count(*) from audit.data_test_runs where passed_at is not null"
        ~ " and scope = 'all' and whole_project and planned_at >= "
        ~ irm.add_days('current_date', -(var('full_tests_every_days') | int))
    ).rows[0][0] -%}
    {%- if not last or last_full == 0 -%}
        {{- return(('all', none)) -}}
    {%- endif -%}
    {%- set known = run_query(
        "select count(*), min(case when loaded_at > cast('" ~ last[0][0]
        ~ "' as timestamp with time zone) then dt end), max(dt) from raw._loaded_partitions"
    ).rows[0] -%}
    {#- a re-delivered partition keeps its place in the count; a set-aside one does not -#}
    {%- if known[0] < last[0][1] -%}
        {{- return(('all', none)) -}}
    {%- endif -%}
    {%- set first_new = known[1] if known[1] is not none else known[2] -%}
    {%- set since = run_query(
        "select " ~ irm.add_days("cast('" ~ first_new ~ "' as date)",
                                 -(var('refresh_lookback_days') | int))
    ).rows[0][0] -%}
    {{- return(('new', since | string)) -}}
{%- endmacro %}

{#- on-run-end: a whole-project command whose every node passed (a warning passes; an exposure
    is a no-op) has passed. -#}
{% macro record_data_tests(results) -%}
    {%- if not execute or not irm.tests_command() or not irm.whole_project_command() -%}
        {{- return('') -}}
    {%- endif -%}
    {%- for result in results -%}
        {%- if result.status not in ('success', 'pass', 'warn', 'no-op') -%}
            {{- return('') -}}
        {%- endif -%}
    {%- endfor -%}
    {%- do irm.commit_statement(
        "update audit.data_test_runs set passed_at = current_timestamp"
        ~ " where invocation_id = '" ~ invocation_id ~ "'"
    ) -%}
    {{- return('') -}}
{%- endmacro %}

{#-
    dbt wraps every generic test's model in this macro (dbt's own applies the `where` config).
    `__tests_since__` in a `where` becomes the command's first new-rows date; the whole
    `where` is dropped when the command tests every row. Read at run time from the command's
    audit row, so the manifest and dbt's partial parse do not change from day to day.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__tests_since__' in where -%}
        {%- set since = irm.tests_since() -%}
        {%- set where = where | replace('__tests_since__', "cast('" ~ since ~ "' as date)")
                        if since else none -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{- return(filtered) -}}
    {%- endif -%}
    {{- return(relation) -}}
{%- endmacro %}

{#- The command's new-rows date, or none when it tests every row (or outside a command). -#}
{% macro tests_since() -%}
    {%- if not execute or not irm.tests_command() -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set rows = run_query(
        "select tests_since from audit.data_test_runs"
        ~ " where invocation_id = '" ~ invocation_id ~ "'"
    ).rows -%}
    {{- return(rows[0][0] | string if rows and rows[0][0] is not none else none) -}}
{%- endmacro %}
