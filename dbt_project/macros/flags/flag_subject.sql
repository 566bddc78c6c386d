{#-
    flag_subject('post', 'per_post', detected_on='per_post.published_date'): the columns of a
    flag row (models/intermediate/flags/) that say what the flag is about, written once for the
    rule mart_quality_flags documents: subject_kind, subject_id (post -> post_id, account ->
    account_id, creator -> creator_id, payment -> payment_id, read from `row`, a relation
    alias, or unqualified when none), creator_id (an expression: by default the creator that
    int_creator_accounts gives the account), account_id (a post's or an account's, else NULL),
    post_id (a post's, else NULL) and detected_on (an expression).
-#}
{% macro flag_subject(kind, row=none, creator_id='creator_accounts.creator_id', detected_on=none) -%}
    {%- set prefix = row ~ '.' if row else '' -%}
        '{{ kind }}' as subject_kind,
        {{ prefix }}{{ kind }}_id as subject_id,
        {{ creator_id }} as creator_id,
        {{ prefix ~ 'account_id' if kind in ('post', 'account') else 'cast(null as text)' }} as account_id,
        {{ prefix ~ 'post_id' if kind == 'post' else 'cast(null as text)' }} as post_id,
        {{ detected_on }} as detected_on,
{%- endmacro %}
