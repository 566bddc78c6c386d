-- The mentions (SPEC 5.5): one row per post the listening found and term it mentions. A post
-- mentions a term when the term's own search found it and its text holds the term as a whole
-- word, case-insensitively, with or without a leading '#' or '@': `lumencoffee` matches
-- "Lumencoffee." and "@lumencoffee", not "#lumencoffeefans" (a platform's search matches
-- substrings; the near misses it returns are dropped here).
--
-- is_roster_author: the post's account is on the roster (int_accounts_current); NULL on
-- Instagram, whose hashtag media name no author.

with

finds as (select * from {{ ref('int_listening_finds') }}),
posts as (select * from {{ ref('int_listening_posts') }}),
terms as (select * from {{ ref('int_listening_terms') }}),

roster_accounts as (

    select distinct account_id
    from {{ ref('int_accounts_current') }}

),

mentioned as (

    select
        finds.platform,
        finds.post_id,
        finds.term,
        terms.term_kind,
        terms.competitor,
        terms.is_brand_term,
        posts.account_id,
        posts.published_date,
        posts.interactions,
        posts.sentiment_label
    from finds
    inner join terms using (term)
    inner join posts using (post_id)
    where
        {{ contains_token('posts.match_text', 'finds.term') }}
        or {{ contains_token('posts.match_text', "'#' || finds.term") }}
        or {{ contains_token('posts.match_text', "'@' || finds.term") }}

),

final as (

    select
        mentioned.*,
        case
            when mentioned.account_id is not null
                then roster_accounts.account_id is not null
        end as is_roster_author
    from mentioned
    left join roster_accounts using (account_id)

)

select * from final
