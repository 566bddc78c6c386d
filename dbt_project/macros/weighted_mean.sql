{#-
    weighted_mean([(expression, weight), ...]): the weighted mean of the expressions that are
    not NULL, the weights renormalised over them; NULL when all are NULL (or all weights 0).
    Used by mart_relationship_health (health_score) and mart_creator_scorecard (score).
-#}
{% macro weighted_mean(pairs) -%}
    (
        (
            {%- for expression, weight in pairs %}
            coalesce({{ weight }} * {{ expression }}, 0){{ " +" if not loop.last }}
            {%- endfor %}
        )
        / nullif(
            {%- for expression, weight in pairs %}
            case when {{ expression }} is not null then {{ weight }} else 0 end
            {{- " +" if not loop.last }}
            {%- endfor %},
            0
        )
    )
{%- endmacro %}
