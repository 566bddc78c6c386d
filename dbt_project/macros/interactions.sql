{#-
    interactions('posts.likes', ['posts.comments', 'posts.shares']): a post's interactions
    (SPEC 5.2): likes plus the other counts the platform returns; unknown when likes are
    hidden, so such a post drops out of engagement averages (a missing comment, share or save
    count adds 0). Written once for the roster's posts (int_post_engagement), the posts
    listening found (int_listening_posts) and a candidate's own posts
    (int_discovery_candidate_measures).
-#}
{% macro interactions(likes, others) -%}
    case
        when {{ likes }} is not null
            then
                {{ likes }}
                {%- for other in others %}
                + coalesce({{ other }}, 0)
                {%- endfor %}
    end
{%- endmacro %}
