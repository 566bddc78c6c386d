-- The channels the day's search results found that are not on the roster, as channels.list
-- returns them: macros/staging/stg_youtube_channels.sql (source -> renamed).
{{ stg_youtube_channels('discovered_channels') }}
