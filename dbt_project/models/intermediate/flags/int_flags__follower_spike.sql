-- follower_spike (SPEC 5.3): a day whose follower gain
--   * is more than `spike_min_share` (2%) of the previous day's followers, on an account with
--     at least `flag_min_followers`, and
--   * has a modified z-score above `spike_z_threshold` (3.5) against the account's daily
--     changes of the trailing `spike_trailing_days` (30) days (Iglewicz & Hoaglin):
--         M = 0.6745 * (x - median) / MAD,  MAD = median(|x_i - median|)
--     Guard MAD = 0 (e.g. a flat or rounded count): M = (x - median) / (1.253314 * MeanAD),
--     the mean absolute deviation around the median; when that is 0 too the trailing days had
--     no spread at all and any gain above the median counts (M is NULL, method `no_spread`).
--     At least `spike_min_history_days` (7) trailing changes are needed to score a day.
-- Consecutive spike days are one event: only the first day is flagged.
-- Severity high when the account's mean post engagement rate over the next
-- `spike_severity_after_days` (14) days is below `spike_severity_engagement_ratio` (half) of
-- the previous `spike_severity_before_days` (30) days (bought followers do not engage), else
-- medium.

with

deltas as (select * from {{ ref('int_account_follower_deltas') }}),

candidates as (

    select *
    from deltas
    where
        followers_before >= {{ var('flag_min_followers') }}
        and followers_delta > {{ var('spike_min_share') }} * followers_before

),

trailing_changes as (

    select
        candidates.account_id,
        candidates.snapshot_date,
        history.followers_delta as trailing_delta
    from candidates
    inner join deltas as history
        on
            candidates.account_id = history.account_id
            and history.snapshot_date
            between {{ add_days('candidates.snapshot_date', '-' ~ var('spike_trailing_days')) }}
            and {{ add_days('candidates.snapshot_date', -1) }}

),

centre as (

    select
        account_id,
        snapshot_date,
        count(*) as trailing_days,
        {{ median('trailing_delta') }} as trailing_median
    from trailing_changes
    group by account_id, snapshot_date

),

spread as (

    select
        trailing_changes.account_id,
        trailing_changes.snapshot_date,
        {{ median('abs(trailing_changes.trailing_delta - centre.trailing_median)') }} as mad,
        avg(
            cast(abs(trailing_changes.trailing_delta - centre.trailing_median) as numeric(38, 18))
        ) as mean_ad
    from trailing_changes
    inner join centre using (account_id, snapshot_date)
    group by trailing_changes.account_id, trailing_changes.snapshot_date

),

scored as (

    select
        candidates.account_id,
        candidates.snapshot_date,
        candidates.followers_before,
        candidates.followers,
        candidates.followers_delta,
        candidates.followers_delta_share,
        centre.trailing_days,
        cast(centre.trailing_median as double precision) as trailing_median,
        cast(spread.mad as double precision) as mad,
        cast(spread.mean_ad as double precision) as mean_ad,
        case
            when spread.mad > 0
                then 0.6745 * (candidates.followers_delta - centre.trailing_median) / spread.mad
            when spread.mean_ad > 0
                then
                    (candidates.followers_delta - centre.trailing_median)
                    / (1.253314 * spread.mean_ad)
        end as modified_z_score,
        case
            when spread.mad > 0 then 'mad'
            when spread.mean_ad > 0 then 'mean_absolute_deviation'
            else 'no_spread'
        end as z_method
    from candidates
    inner join centre using (account_id, snapshot_date)
    inner join spread using (account_id, snapshot_date)
    where centre.trailing_days >= {{ var('spike_min_history_days') }}

),

spikes as (

    select *
    from scored
    where
        modified_z_score > {{ var('spike_z_threshold') }}
        or (z_method = 'no_spread' and followers_delta > trailing_median)

),

first_days as (

    -- consecutive days are one event, detected on its first day
    {{ first_day_of_run('spikes') }}

),

engagement as (

    select
        first_days.account_id,
        first_days.snapshot_date,
        avg(
            case
                when posts.published_date < first_days.snapshot_date
                    then cast(posts.engagement_rate as numeric(38, 18))
            end
        ) as engagement_before,
        avg(
            case
                when posts.published_date > first_days.snapshot_date
                    then cast(posts.engagement_rate as numeric(38, 18))
            end
        ) as engagement_after
    from first_days
    inner join {{ ref('int_post_engagement') }} as posts
        on
            first_days.account_id = posts.account_id
            and posts.published_date
            between
            {{ add_days('first_days.snapshot_date', '-' ~ var('spike_severity_before_days')) }}
            and {{ add_days('first_days.snapshot_date', var('spike_severity_after_days')) }}
    group by first_days.account_id, first_days.snapshot_date

),

final as (

    select
        {{ flag_type_and_severity(
            'follower_spike', 'engagement.engagement_after < '
            ~ var('spike_severity_engagement_ratio') ~ ' * engagement.engagement_before'
        ) }}
        {{ flag_subject('account', 'first_days', detected_on='first_days.snapshot_date') }}
        {{ flag_measures('first_days.modified_z_score', var('spike_z_threshold'), [
            ('followers_before', 'first_days.followers_before'),
            ('followers', 'first_days.followers'),
            ('followers_delta', 'first_days.followers_delta'),
            ('delta_share', 'first_days.followers_delta_share'),
            ('trailing_days', 'first_days.trailing_days'),
            ('trailing_median', 'first_days.trailing_median'),
            ('mad', 'first_days.mad'),
            ('mean_absolute_deviation', 'first_days.mean_ad'),
            ('z_method', 'first_days.z_method'),
            ('engagement_rate_before', 'engagement.engagement_before'),
            ('engagement_rate_after', 'engagement.engagement_after'),
        ]) }}
    from first_days
    left join engagement using (account_id, snapshot_date)
    left join {{ ref('int_creator_accounts') }} as creator_accounts using (account_id)

)

select * from final
