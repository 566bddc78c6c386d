-- The roster's TikTok users: macros/staging/stg_tiktok_users.sql (source -> renamed).
{{ stg_tiktok_users('users') }}
