-- The youtube comment fetches: macros/staging/stg_comment_fetches.sql (source -> renamed).
{{ stg_comment_fetches('youtube') }}
