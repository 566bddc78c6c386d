-- brand_safety (SPEC 5.3): a post whose title or caption contains a term of the
-- `brand_safety_terms` seed as whole words (case-insensitive); a term without '#' or '@' also
-- matches as a hashtag, spaces removed ("sports betting" -> #sportsbetting; the matching:
-- macros/flags/brand_safety_hits.sql). One flag per post, with every term and category found
-- in the evidence. metric_value = the number of terms found; severity high when the post is
-- sponsored (the brand's own campaign content), else medium.

with

posts as ({{ flaggable_posts() }}),

found as ({{ brand_safety_hits('posts') }}),

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
        {{ flag_type_and_severity('brand_safety', 'owners.is_sponsored') }}
        {{ flag_subject(
            'post', 'per_post', creator_id='owners.creator_id', detected_on='per_post.published_date'
        ) }}
        {{ flag_measures('per_post.terms_found', 1, [
            ('terms', 'per_post.terms'),
            ('categories', 'per_post.categories'),
            ('campaign_id', 'owners.campaign_id'),
        ]) }}
    from per_post
    left join {{ ref('int_post_owners') }} as owners using (post_id)

)

select * from final
