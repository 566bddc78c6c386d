{#-
    normalize_handle('username'): a platform username as the warehouse compares it: lower-case,
    without a leading '@'. Instagram and TikTok usernames are case-insensitive, and the CRM and
    the roster write them either way ("@Ana_Runs" names the account ana_runs). The one place
    this rule is written: the models that give accounts their ids (int_account_snapshots,
    int_post_metric_snapshots) and the CRM's claims (int_creator_accounts) call it, and
    int_account_handles resolves the result to an account.
-#}
{% macro normalize_handle(username) -%}
    lower(ltrim({{ username }}, '@'))
{%- endmacro %}
