-- Every video the day's search results found (roster or not), as videos.list returns it: the
-- full title and description the mention rule reads, and the statistics:
-- macros/staging/stg_youtube_videos.sql (source -> renamed).
{{ stg_youtube_videos('found_videos') }}
