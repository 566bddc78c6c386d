{#-
    first_day_of_run('drops'): the rows of a CTE of flagged account-days whose previous calendar
    day is not flagged too: consecutive flagged days are one event (a purge over two days, a
    spike that lasts), detected on its first day. Used by follower_spike and follower_drop.
-#}
{% macro first_day_of_run(days, account='account_id', day='snapshot_date') -%}
    select {{ days }}.*
    from {{ days }}
    left join {{ days }} as day_before
        on
            {{ days }}.{{ account }} = day_before.{{ account }}
            and day_before.{{ day }} = {{ irm.add_days(days ~ '.' ~ day, -1) }}
    where day_before.{{ account }} is null
{%- endmacro %}
