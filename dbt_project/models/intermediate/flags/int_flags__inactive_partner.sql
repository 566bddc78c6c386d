-- inactive_partner (SPEC 5.3): on the as-of date, a creator with status `active` whose
-- accounts have published nothing for more than `inactive_days` (30) days. A creator whose
-- accounts show no post at all is flagged once they have been tracked for more than that.
-- Creators without a tracked account cannot be measured and are left out.
-- metric_value = days since the last post (or since tracking began, when there is none);
-- severity high from twice the threshold.

with

as_of as (select as_of_date from {{ ref('int_as_of_date') }}),

creators as (

    select * from {{ ref('int_crm__creators_current') }}
    where status = 'active'

),

creator_accounts as (

    select
        creator_accounts.creator_id,
        creator_accounts.account_id,
        accounts.first_snapshot_date
    from {{ ref('int_creator_accounts') }} as creator_accounts
    inner join {{ ref('int_accounts_current') }} as accounts using (account_id)

),

activity as (

    select
        creator_accounts.creator_id,
        count(distinct creator_accounts.account_id) as accounts,
        min(creator_accounts.first_snapshot_date) as tracked_since,
        max(posts.published_date) as last_post_date
    from creator_accounts
    left join {{ ref('int_posts') }} as posts using (account_id)
    group by creator_accounts.creator_id

),

measured as (

    select
        creators.creator_id,
        activity.accounts,
        activity.tracked_since,
        activity.last_post_date,
        as_of.as_of_date,
        {{ days_between(
            'coalesce(activity.last_post_date, activity.tracked_since)', 'as_of.as_of_date'
        ) }} as days_inactive
    from creators
    inner join activity using (creator_id)
    cross join as_of

),

final as (

    select
        {{ flag_type_and_severity(
            'inactive_partner', 'days_inactive > 2 * ' ~ var('inactive_days')
        ) }}
        {{ flag_subject('creator', creator_id='creator_id', detected_on='as_of_date') }}
        {{ flag_measures('days_inactive', var('inactive_days'), [
            ('last_post_date', 'cast(last_post_date as text)'),
            ('tracked_since', 'cast(tracked_since as text)'),
            ('accounts', 'accounts'),
        ]) }}
    from measured
    where days_inactive > {{ var('inactive_days') }}

)

select * from final
