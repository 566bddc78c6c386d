{#-
    stg_sentiment_scores('comment_scores', 'comment_key', 'comment_id'): the whole staging model
    of a table of sentiment scores the scoring step writes (warehouse/comment_scores.py), the
    same for the comments' (`raw.comment_scores`) and the listened posts' (`raw.mention_scores`):
    one row per scored text, its key renamed to the id the warehouse joins it on. Renaming only:
    the label is applied downstream from the thresholds (vars). A warehouse where the step never
    ran reads the table as empty (raw_source's empty_columns: the scores' own shape). Staging
    shape: a `source` CTE, then `renamed`.
-#}
{% macro stg_sentiment_scores(table_name, key_column, id_column) -%}
with

source as (

    select * from {{ irm.raw_source('sentiment', table_name, empty_columns=[
        (key_column, 'text'),
        ('platform', 'text'),
        ('language', 'text'),
        ('compound', 'double precision'),
        ('unscored_reason', 'text'),
        ('scored_at', 'timestamp with time zone'),
        ('model', 'text'),
    ]) }}

),

renamed as (

    select
        {{ key_column }} as {{ id_column }},
        platform,
        language,
        cast(compound as double precision) as compound,
        unscored_reason,
        scored_at,
        model as scoring_model
    from source

)

select * from renamed
{%- endmacro %}
