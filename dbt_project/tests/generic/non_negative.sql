{#- Fails for every row whose value is below zero (NULLs pass: unknown is not negative). -#}
{% test non_negative(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0

{% endtest %}
