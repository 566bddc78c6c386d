{#-
    instagram_media_fields(): the columns of an Instagram media object (Graph API IG Media)
    after its ids and snapshot, typed once for the roster's media (business_discovery) and the
    media a hashtag search found (recent_media, `with_product_type=false`: the extractor asks
    that edge for the same fields but media_product_type): publication time (timestamps look
    like 2026-03-01T12:00:00+0000), caption, media type, permalink and the counts as returned
    (JSON numbers; absent = NULL).
-#}
{% macro instagram_media_fields(with_product_type=true) -%}
cast({{ irm.json_text('payload', 'timestamp') }} as timestamp with time zone) as published_at,
        {{ irm.json_text('payload', 'caption') }} as caption,
        upper({{ irm.json_text('payload', 'media_type') }}) as media_type,
        {%- if with_product_type %}
        upper({{ irm.json_text('payload', 'media_product_type') }}) as media_product_type,
        {%- endif %}
        {{ irm.json_text('payload', 'permalink') }} as permalink,
        cast({{ irm.json_text('payload', 'like_count') }} as bigint) as like_count,
        cast({{ irm.json_text('payload', 'comments_count') }} as bigint) as comments_count
{%- endmacro %}
