{#-
    Use a model's custom schema verbatim (staging, intermediate, marts, seeds) instead of
    dbt's default "<target schema>_<custom schema>", so every target gets the same schema
    names that the loader, the expectations and the BI copy read. Nodes without a custom
    schema fall back to the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
