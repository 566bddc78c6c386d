{#-
    Token matching for captions (campaign ties, disclosure, brand safety, competitors).

    normalize_text(expr): lower-cased text in which every run of white space and ASCII
    punctuation other than '#', '@' and '_' becomes one space, a space is put before every
    '#' and '@' (so "great#ad" holds the hashtag "#ad"), and one space pads each end:
    "Love it! #AD (code SAVE-10)" -> " love it #ad code save 10 ".

    normalize_token(expr): the same without the padding, for the token side.

    contains_token(normalized_text, normalized_token): true when the token occurs as whole
    words, i.e. " #ad " occurs in the padded text: "#ad" matches "#ad" but not "#adventure",
    "paid partnership" matches the phrase. A plain position() search, no regular expression
    built from data, so a token needs no escaping. NULL or empty tokens never match.
-#}
{% macro text_separators() -%}
    '[[:space:]!"$%&''()*+,./:;<=>?\[\\\]^`{|}~-]+'
{%- endmacro %}

{% macro normalize_token(text_expression) -%}
    trim(regexp_replace(
        regexp_replace(lower(coalesce({{ text_expression }}, '')), '([#@])', ' \1', 'g'),
        {{ irm.text_separators() }}, ' ', 'g'
    ))
{%- endmacro %}

{% macro normalize_text(text_expression) -%}
    (' ' || {{ irm.normalize_token(text_expression) }} || ' ')
{%- endmacro %}

{% macro contains_token(normalized_text, normalized_token) -%}
    (
        coalesce({{ normalized_token }}, '') <> ''
        and position((' ' || {{ normalized_token }} || ' ') in {{ normalized_text }}) > 0
    )
{%- endmacro %}
