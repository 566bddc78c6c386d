{#-
    join_tiers('accounts.followers'): a left join of the `tiers` seed (aliased `tiers`) on a
    follower count: lower bound inclusive, upper bound exclusive, no upper bound for the top
    tier; an unknown count has no tier. The one place the tier rule is written
    (int_accounts_current, mart_creator_engagement, int_discovery_candidate_measures).
-#}
{% macro join_tiers(followers) -%}
    left join {{ ref('tiers') }} as tiers
        on
            {{ followers }} >= tiers.min_followers
            and ({{ followers }} < tiers.max_followers or tiers.max_followers is null)
{%- endmacro %}
