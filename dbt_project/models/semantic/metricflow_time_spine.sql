-- MetricFlow's time spine (models/semantic/_semantic__models.yml): one row per day from
-- 2015-01-01 to 2035-12-31, wide enough for any post, order or campaign the marts hold. Metrics
-- by metric_time and cumulative metrics join it. Not a mart (no contract, no Parquet file); the
-- BI copy carries it (warehouse/publish.py), so `mf query` by metric_time works there too.

with

days as (

    select cast(generate_series as date) as date_day
    from generate_series(
            cast('2015-01-01' as timestamp), cast('2035-12-31' as timestamp), interval '1 day'
        )

),

final as (

    select date_day
    from days

)

select * from final
