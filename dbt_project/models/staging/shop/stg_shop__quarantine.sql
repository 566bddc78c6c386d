-- The shop source's rejected records: macros/staging/stg_quarantine.sql (source -> renamed).
{{ stg_quarantine('shop') }}
