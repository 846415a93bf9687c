-- Rows of the sources that failed validation, kept with the reason instead of disappearing.
-- Grain: one row per (source row, failed check): a row with two faults appears twice. Price
-- observations are checked each day; their rejections are kept for every day (detected_at).
-- row_ref names the row (file line and key); record holds the whole row as read, as JSON.
select * from quarantined_companies
union all by name
select * from quarantined_deals
union all by name
select * from quarantined_chip_specs
union all by name
select * from quarantined_assumptions
union all by name
select * from quarantined_chip_prices
union all by name
select * exclude (run_day) from quarantined_price_observations
order by source_table, source_line, check_name, column_name
