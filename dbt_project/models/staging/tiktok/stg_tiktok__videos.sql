-- The roster's videos, as video/query by username returns them:
-- macros/staging/stg_tiktok_videos.sql (source -> renamed).
{{ stg_tiktok_videos('videos') }}
