-- One row per scored comment, as the scoring step wrote it (warehouse/comment_scores.py):
-- macros/staging/stg_sentiment_scores.sql (source -> renamed). The label is applied in
-- int_comments from the thresholds (vars).
{{ stg_sentiment_scores('comment_scores', 'comment_key', 'comment_id') }}
