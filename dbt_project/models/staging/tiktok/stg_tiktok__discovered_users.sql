-- The authors the day's query videos found that are not on the roster, as user/info returns
-- them: macros/staging/stg_tiktok_users.sql (source -> renamed).
{{ stg_tiktok_users('discovered_users') }}
