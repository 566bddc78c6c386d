-- The roster's YouTube videos: macros/staging/stg_youtube_videos.sql (source -> renamed).
{{ stg_youtube_videos('videos') }}
