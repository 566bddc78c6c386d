-- brand_safety (SPEC 5.3): a post whose title or caption contains a term of the
-- `brand_safety_terms` seed as whole words (case-insensitive); a term without '#' or '@' also
-- matches as a hashtag, spaces removed ("sports betting" -> #sportsbetting). One flag per
-- post, with every term and category found in the evidence. metric_value = the number of
-- terms found; severity high when the post is sponsored (the brand's own campaign content),
-- else medium.

with

posts as ({{ flaggable_posts() }}),

terms as (

    select
        {{ normalize_token('term') }} as term,
        case
            when term not like '#%' and term not like '@%'
                then '#' || replace({{ normalize_token('term') }}, ' ', '')
        end as hashtag_form,
        category
    from {{ ref('brand_safety_terms') }}

),

found as (

    select
        posts.post_id,
        posts.account_id,
        posts.published_date,
        terms.term,
        terms.category
    from posts
    inner join terms
        on
            {{ contains_token('posts.match_text', 'terms.term') }}
            or {{ contains_token('posts.match_text', 'terms.hashtag_form') }}

),

per_post as (

    select
        post_id,
        account_id,
        published_date,
        count(*) as terms_found,
        string_agg(term, ', ' order by term) as terms,
        string_agg(distinct category, ', ' order by category) as categories
    from found
    group by post_id, account_id, published_date

),

final as (

    select
        'brand_safety' as flag_type,
        case when campaign_ties.post_id is not null then 'high' else 'medium' end as severity,
        {{ flag_subject('post', 'per_post', detected_on='per_post.published_date') }}
        cast(per_post.terms_found as double precision) as metric_value,
        cast(1 as double precision) as threshold,
        {{ json_object_text([
            ('terms', 'per_post.terms'),
            ('categories', 'per_post.categories'),
            ('campaign_id', 'campaign_ties.campaign_id'),
        ]) }} as evidence
    from per_post
    left join {{ ref('int_post_campaign_ties') }} as campaign_ties
        on per_post.post_id = campaign_ties.post_id
    left join {{ ref('int_creator_accounts') }} as creator_accounts
        on per_post.account_id = creator_accounts.account_id

)

select * from final
