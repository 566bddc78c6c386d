-- late_payment (SPEC 5.3): a payment paid after its due date (detected on the day it was
-- paid), or not paid and past its due date on the as-of date (status scheduled or failed;
-- detected on the as-of date, so it stays open until paid). Cancelled payments are not
-- flagged. metric_value = days late; severity high beyond 30 days. Fees and commission
-- payouts alike (SPEC 5.2 performance-based contracts): the evidence names the purpose (a
-- payment without one, from a file of the older template, pays the fee).

with

as_of as (select as_of_date from {{ ref('int_as_of_date') }}),

payments as (select * from {{ ref('int_crm__payments_current') }}),
contracts as (select * from {{ ref('int_contracts') }}),

late as (

    select
        payments.payment_id,
        payments.contract_id,
        payments.status,
        coalesce(payments.purpose, 'fee') as purpose,
        payments.amount,
        payments.currency,
        payments.due_on,
        payments.paid_on,
        case
            when payments.status = 'paid' then payments.paid_on
            else as_of.as_of_date
        end as detected_on,
        case
            when payments.status = 'paid'
                then {{ days_between('payments.due_on', 'payments.paid_on') }}
            else {{ days_between('payments.due_on', 'as_of.as_of_date') }}
        end as days_late
    from payments
    cross join as_of
    where
        payments.due_on is not null
        and (
            (payments.status = 'paid' and payments.paid_on > payments.due_on)
            or (
                payments.status in ('scheduled', 'failed')
                and payments.paid_on is null
                and payments.due_on < as_of.as_of_date
            )
        )

),

final as (

    select
        {{ flag_type_and_severity('late_payment', 'late.days_late > 30') }}
        {{ flag_subject(
            'payment', 'late', creator_id='contracts.creator_id', detected_on='late.detected_on'
        ) }}
        {{ flag_measures('late.days_late', 0, [
            ('payment_id', 'late.payment_id'),
            ('contract_id', 'late.contract_id'),
            ('campaign_id', 'contracts.campaign_id'),
            ('status', 'late.status'),
            ('purpose', 'late.purpose'),
            ('amount', 'late.amount'),
            ('currency', 'late.currency'),
            ('due_on', 'cast(late.due_on as text)'),
            ('paid_on', 'cast(late.paid_on as text)'),
        ]) }}
    from late
    left join contracts using (contract_id)

)

select * from final
