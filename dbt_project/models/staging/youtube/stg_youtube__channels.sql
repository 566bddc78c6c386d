-- The roster's YouTube channels: macros/staging/stg_youtube_channels.sql (source -> renamed).
{{ stg_youtube_channels('channels') }}
