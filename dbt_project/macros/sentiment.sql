{#-
    The sentiment sums and shares of SPEC 5.5, written once for mart_post_sentiment and
    int_creator_sentiment_months (SPEC 5.5). Shares are over scored comments:
    an unscored comment counts in neither numerator nor denominator.

    sentiment_counts('is_sponsored_post', '_sponsored'): inside a GROUP BY over rows with a
    `sentiment_label`, the aggregates comments_scored<suffix>, comments_positive<suffix> and
    comments_negative<suffix>, of the rows meeting `condition` (all rows when none).
-#}
{% macro sentiment_counts(condition=none, suffix='') -%}
    {%- set also = ' and (' ~ condition ~ ')' if condition else '' -%}
        count(case when sentiment_label <> 'unscored'{{ also }} then 1 end) as comments_scored{{ suffix }},
        count(case when sentiment_label = 'positive'{{ also }} then 1 end) as comments_positive{{ suffix }},
        count(case when sentiment_label = 'negative'{{ also }} then 1 end) as comments_negative{{ suffix }}
{%- endmacro %}

{#-
    net_sentiment('comments_positive', 'comments_negative', 'comments_scored'): positive share
    - negative share, computed as (positive - negative) / scored (the same number, with one
    rounding instead of three); NULL when nothing was scored.
-#}
{% macro net_sentiment(positive, negative, scored) -%}
    {{ safe_divide(positive ~ ' - ' ~ negative, scored) }}
{%- endmacro %}

{#-
    sentiment_shares(): positive_share, negative_share and net_sentiment from the columns
    comments_positive, comments_negative and comments_scored that sentiment_counts() makes.
-#}
{% macro sentiment_shares() -%}
        {{ safe_divide('comments_positive', 'comments_scored') }} as positive_share,
        {{ safe_divide('comments_negative', 'comments_scored') }} as negative_share,
        {{ net_sentiment('comments_positive', 'comments_negative', 'comments_scored') }} as net_sentiment
{%- endmacro %}

{#-
    sentiment_label('scores.compound'): the label of a VADER compound score from the vars
    sentiment_positive_threshold / sentiment_negative_threshold (both inclusive): positive,
    negative, neutral in between, `unscored` when there is no score (never neutral). Written
    once for comments (int_comments) and the posts listening found (int_listening_posts).
-#}
{% macro sentiment_label(compound) -%}
    case
        when {{ compound }} is null then 'unscored'
        when {{ compound }} >= {{ var('sentiment_positive_threshold') }} then 'positive'
        when {{ compound }} <= {{ var('sentiment_negative_threshold') }} then 'negative'
        else 'neutral'
    end
{%- endmacro %}
