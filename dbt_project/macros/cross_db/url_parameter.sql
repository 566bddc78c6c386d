{#-
    url_parameter(url, name): the value of the query parameter `name` of a URL (or a path with
    a query), wherever it stands among the others; NULL when the URL has none or it is empty.
    The value is compared as written (not percent-decoded): CRM admission quarantines a
    contract whose utm value a link could not carry as written (a space, a non-ASCII letter,
    &, # or =), so the CRM writes the value as it stands in the link.
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
