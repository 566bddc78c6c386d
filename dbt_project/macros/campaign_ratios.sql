{#-
    campaign_ratios(): the ratio columns of mart_campaign_roi and mart_campaign_creator_roi
    (SPEC 5.2), from columns named spend_committed_usd, views, interactions, orders and
    revenue_usd. Spend is the committed spend (fee + product cost). Division by zero or by an
    unknown gives NULL.
-#}
{% macro campaign_ratios() -%}
    {{ irm.safe_divide('spend_committed_usd * 1000', 'views') }} as cpm_usd,
    {{ irm.safe_divide('spend_committed_usd', 'interactions') }} as cpe_usd,
    {{ irm.safe_divide('spend_committed_usd', 'orders') }} as cpa_usd,
    {{ irm.safe_divide('revenue_usd', 'spend_committed_usd') }} as roas,
    {{ irm.safe_divide('revenue_usd - spend_committed_usd', 'spend_committed_usd') }} as roi
{%- endmacro %}
