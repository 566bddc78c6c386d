{#-
    Post-hook of every mart (dbt_project.yml). On Postgres, BI tools read `marts` directly as
    the BI role (warehouse.roles), which the pipeline role's default privileges let read every
    column of a table dbt builds. For a model with columns tagged personal data
    (`config: meta: {personal_data: true}`), every role that may read the table (its owner
    aside) is given every column but those instead, unless IRM_PUBLISH_PERSONAL_DATA allows
    personal data: the rule warehouse/publish.py applies to the BI copy. The hook runs in the
    transaction that puts the new table in place, so no role reads a personal column in
    between, and it needs no role's name (the workers that run dbt are not told the BI role's).
    Nothing to do on DuckDB (BI tools read the BI copy there) or for a model without personal
    columns. A table rebuilt with the setting on is readable whole again (default privileges);
    an incremental mart restricted before would keep its column grants until rebuilt.
-#}
{% macro withhold_personal_columns() %}
    {%- if not execute or target.type != 'postgres' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set personal = [] -%}
    {%- for name, column in model.columns.items() -%}
        {%- set meta = (column.get('config') or {}).get('meta') or column.get('meta') or {} -%}
        {%- if meta.get('personal_data') is true -%}
            {%- do personal.append(dbt.string_literal(name | lower)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set allowed = env_var('IRM_PUBLISH_PERSONAL_DATA', 'false') | trim | lower
        in ['true', '1', 'yes', 'on'] -%}
    {%- if not personal or allowed -%}
        {{ return('') }}
    {%- endif %}
do $withhold$
declare
    relation regclass := {{ dbt.string_literal(adapter.quote(this.schema) ~ '.' ~ adapter.quote(this.identifier)) }}::regclass;
    readable text;
    reader text;
begin
    select string_agg(quote_ident(attname), ', ' order by attnum) into readable
    from pg_attribute
    where attrelid = relation and attnum > 0 and not attisdropped
        and attname <> all (array[{{ personal | join(', ') }}]);
    for reader in
        select distinct case when acl.grantee = 0 then 'public' else acl.grantee::regrole::text end
        from pg_class, aclexplode(pg_class.relacl) as acl
        where pg_class.oid = relation
            and acl.privilege_type = 'SELECT'
            and acl.grantee <> pg_class.relowner
    loop
        execute format('revoke select on %s from %s', relation, reader);
        execute format('grant select (%s) on %s to %s', readable, relation, reader);
    end loop;
end
$withhold$
{%- endmacro %}
