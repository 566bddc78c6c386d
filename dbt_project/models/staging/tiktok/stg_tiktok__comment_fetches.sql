-- The tiktok comment fetches: macros/staging/stg_comment_fetches.sql (source -> renamed).
{{ stg_comment_fetches('tiktok') }}
