-- engagement_anomaly (SPEC 5.3): a post whose comments / likes ratio is more than
-- `anomaly_ratio` (5) x the median ratio of its account's posts (engagement pods, bot
-- comments). Only posts with known likes (> 0) and comments take part; the account needs at
-- least `anomaly_min_posts` (5) such posts and a median above 0, and the post at least
-- `anomaly_min_comments` (10) comments (a handful of comments on a tiny post is noise).
-- metric_value = the post's ratio / the account's median; severity high from twice the
-- threshold.

with

posts as (

    select
        post_id,
        account_id,
        published_date,
        likes,
        comments,
        {{ safe_divide('comments', 'likes') }} as comment_like_ratio
    from {{ ref('int_post_engagement') }}
    where
        likes > 0
        and comments is not null
        and account_id is not null

),

accounts as (

    select
        account_id,
        count(*) as posts,
        {{ median('comment_like_ratio') }} as median_ratio
    from posts
    group by account_id

),

scored as (

    select
        posts.*,
        accounts.posts as account_posts,
        cast(accounts.median_ratio as double precision) as account_median_ratio,
        {{ safe_divide('posts.comment_like_ratio', 'accounts.median_ratio') }} as ratio_to_median
    from posts
    inner join accounts using (account_id)
    where
        accounts.posts >= {{ var('anomaly_min_posts') }}
        and accounts.median_ratio > 0
        and posts.comments >= {{ var('anomaly_min_comments') }}

),

final as (

    select
        {{ flag_type_and_severity(
            'engagement_anomaly', 'scored.ratio_to_median >= 2 * ' ~ var('anomaly_ratio')
        ) }}
        {{ flag_subject('post', 'scored', detected_on='scored.published_date') }}
        {{ flag_measures('scored.ratio_to_median', var('anomaly_ratio'), [
            ('likes', 'scored.likes'),
            ('comments', 'scored.comments'),
            ('comment_like_ratio', 'scored.comment_like_ratio'),
            ('account_median_ratio', 'scored.account_median_ratio'),
            ('account_posts', 'scored.account_posts'),
        ]) }}
    from scored
    left join {{ ref('int_creator_accounts') }} as creator_accounts using (account_id)
    where scored.ratio_to_median > {{ var('anomaly_ratio') }}

)

select * from final
