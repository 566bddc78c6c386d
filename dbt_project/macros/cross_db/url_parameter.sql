{#-
    url_parameter(url, name): the value of the query parameter `name` of a URL (or a path with
    a query), wherever it stands among the others; NULL when the URL has none or it is empty.
    The value is compared as written (not percent-decoded): tracked-link parameters are slugs.
-#}
{% macro url_parameter(url, name) -%}
    {{ return(adapter.dispatch('url_parameter', 'irm')(url, name)) }}
{%- endmacro %}

{% macro default__url_parameter(url, name) -%}
    nullif(substring({{ url }} from '[?&]{{ name }}=([^&#]*)'), '')
{%- endmacro %}

{% macro duckdb__url_parameter(url, name) -%}
    nullif(regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1), '')
{%- endmacro %}
