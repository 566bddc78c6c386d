-- Each shop order's latest record (the latest date, then the latest extraction), one row per
-- order. Incremental, keyed by order (issue 21), as int_post_latest_snapshots is by post: a
-- run ranks again only the orders with a record in the days int_shop__order_versions
-- re-derives, or whose latest record here lies in those days (a re-loaded partition may have
-- lost it), each over all its records; a post hook removes the orders whose records all
-- left, so the table equals a full refresh. The model, its configuration included, is
-- macros/latest_version.sql.

{{ latest_version_per_key('int_shop__order_versions', 'order_id') }}
