-- follower_drop (SPEC 5.3): a one-day loss of more than `drop_min_share` (5%) of the previous
-- day's followers, on an account with at least `flag_min_followers` (a purge of bought
-- followers). Consecutive drop days are one event: only the first day is flagged.
-- metric_value = the share lost (0.08 = 8%); severity high from twice the threshold.

with

deltas as (select * from {{ ref('int_account_follower_deltas') }}),

drops as (

    select
        deltas.*,
        -1 * deltas.followers_delta_share as share_lost
    from deltas
    where
        deltas.followers_before >= {{ var('flag_min_followers') }}
        and deltas.followers_delta < -{{ var('drop_min_share') }} * deltas.followers_before

),

first_days as (

    -- consecutive days are one event, detected on its first day
    {{ first_day_of_run('drops') }}

),

final as (

    select
        {{ flag_type_and_severity(
            'follower_drop', 'first_days.share_lost >= 2 * ' ~ var('drop_min_share')
        ) }}
        {{ flag_subject('account', 'first_days', detected_on='first_days.snapshot_date') }}
        {{ flag_measures('first_days.share_lost', var('drop_min_share'), [
            ('followers_before', 'first_days.followers_before'),
            ('followers', 'first_days.followers'),
            ('followers_delta', 'first_days.followers_delta'),
        ]) }}
    from first_days
    left join {{ ref('int_creator_accounts') }} as creator_accounts using (account_id)

)

select * from final
