-- One row per scored comment, as the scoring step wrote it (warehouse/comment_scores.py).
-- Renaming only: the label is applied in int_comments from the thresholds (vars).

with

source as (

    select * from {{ raw_source('sentiment', 'comment_scores', empty_columns=[
        ('comment_key', 'text'),
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
        comment_key as comment_id,
        platform,
        language,
        cast(compound as double precision) as compound,
        unscored_reason,
        scored_at,
        model as scoring_model
    from source

)

select * from renamed
