-- The videos of the last 30 days of each author discovered off the roster that day, as
-- video/query by username returns them (counts that have settled, for the candidate's
-- engagement): macros/staging/stg_tiktok_videos.sql (source -> renamed).
{{ stg_tiktok_videos('candidate_videos') }}
