-- One row per post listening found, its own text scored once by the scoring step
-- (warehouse/comment_scores.py): macros/staging/stg_sentiment_scores.sql (source -> renamed).
-- post_id is int_listening_posts' post_id; the label is applied downstream from the
-- thresholds (vars).
{{ stg_sentiment_scores('mention_scores', 'post_key', 'post_id') }}
