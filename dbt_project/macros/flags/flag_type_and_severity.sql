{#-
    flag_type_and_severity('follower_drop', 'first_days.share_lost >= 0.5'): a flag row's first
    columns (models/intermediate/flags/), written once for the rule mart_quality_flags
    documents: flag_type, and severity 'high' where `high_when` (an SQL condition) holds, else
    'medium' (each followed by a comma).
-#}
{% macro flag_type_and_severity(flag_type, high_when) -%}
        '{{ flag_type }}' as flag_type,
        case when {{ high_when }} then 'high' else 'medium' end as severity,
{%- endmacro %}
