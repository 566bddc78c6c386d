-- negative_sentiment_shift (SPEC 5.5, issue 20): a creator whose audience's net sentiment fell
-- by more than `sentiment_shift_threshold` (0.3) from one calendar month to the next, both
-- months with at least `sentiment_shift_min_comments` (50) scored comments under the creator's
-- posts (int_creator_sentiment_months: by the comment's month). Detected on the first day of
-- the later month (stable across rebuilds while that month fills). metric_value = the fall
-- (previous net - net); severity high from twice the threshold. Evidence: both months, their
-- nets and their scored comment counts.

with

months as (select * from {{ ref('int_creator_sentiment_months') }}),

compared as (

    select
        later.creator_id,
        later.month,
        later.net_sentiment,
        later.comments_scored,
        earlier.month as previous_month,
        earlier.net_sentiment as previous_net_sentiment,
        earlier.comments_scored as previous_comments_scored,
        earlier.net_sentiment - later.net_sentiment as net_sentiment_fall
    from months as later
    inner join months as earlier
        on
            later.creator_id = earlier.creator_id
            and earlier.month = {{ month_start(add_days('later.month', -1)) }}
    where
        later.comments_scored >= {{ var('sentiment_shift_min_comments') }}
        and earlier.comments_scored >= {{ var('sentiment_shift_min_comments') }}

),

final as (

    select
        {{ flag_type_and_severity(
            'negative_sentiment_shift',
            'net_sentiment_fall >= 2 * ' ~ var('sentiment_shift_threshold')
        ) }}
        {{ flag_subject('creator', creator_id='creator_id', detected_on='month') }}
        {{ flag_measures('net_sentiment_fall', var('sentiment_shift_threshold'), [
            ('previous_month', 'cast(previous_month as text)'),
            ('month', 'cast(month as text)'),
            ('previous_net_sentiment', 'previous_net_sentiment'),
            ('net_sentiment', 'net_sentiment'),
            ('previous_comments_scored', 'previous_comments_scored'),
            ('comments_scored', 'comments_scored'),
        ]) }}
    from compared
    where net_sentiment_fall > {{ var('sentiment_shift_threshold') }}

)

select * from final
