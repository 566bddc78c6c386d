{#-
    hash_key([expr, ...]): a deterministic md5 hex key over the given text expressions,
    joined with '|' (NULL parts become empty). Both targets have md5().
-#}
{% macro hash_key(expressions) -%}
    {{ return(adapter.dispatch('hash_key', 'irm')(expressions)) }}
{%- endmacro %}

{% macro default__hash_key(expressions) -%}
    md5(
        {%- for expression in expressions %}
        coalesce(cast({{ expression }} as {{ dbt.type_string() }}), ''){{ " || '|' ||" if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
