-- The uploads of the last 30 days of each channel discovered off the roster that day, as
-- videos.list returns them (counts that have settled, for the candidate's engagement):
-- macros/staging/stg_youtube_videos.sql (source -> renamed).
{{ stg_youtube_videos('candidate_videos') }}
