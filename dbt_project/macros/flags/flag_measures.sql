{#-
    flag_measures('first_days.share_lost', var('drop_min_share'), [('followers', 'first_days.followers')]):
    the last columns of a flag row (models/intermediate/flags/), written once in the types
    mart_quality_flags' contract wants: metric_value and threshold (SQL expressions, or 'null'
    where a rule has none) as double precision, and evidence, the JSON text of the (key,
    expression) pairs (json_object_text). Follows flag_subject() in every flag model.
-#}
{% macro flag_measures(metric_value, threshold, evidence) -%}
    cast({{ metric_value }} as double precision) as metric_value,
        cast({{ threshold }} as double precision) as threshold,
        {{ irm.json_object_text(evidence) }} as evidence
{%- endmacro %}
