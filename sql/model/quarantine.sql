-- Rows of the sources that failed validation, kept with the reason instead of disappearing.
-- Grain: one row per (source row, failed check): a row with two faults appears twice. Price
-- observations are checked each day; their rejections are kept for every day (detected_at).
-- row_ref names the row (file line and key); record holds the whole row as read, as JSON.
--
-- columns:
--   source_table: raw table the rejected row was read into (raw_deals, ..., or a price source's: snapshot_prices, ...)
--   row_ref: names the row - its line and its key (e.g. the flow_id or instance_type)
--   source_line: line of the row in its source file (line 1 is the header); for prices, its number in that day's fetch
--   column_name: column(s) the failed check looked at, comma-separated when several
--   check_name: name of the failed check (e.g. duplicate_observation, not_positive, future_date)
--   failure_value: the offending value(s) as text
--   reason: why the row was rejected, in plain words
--   record: the whole row as read, as JSON (values as text)
--   detected_at: day the row was checked (DATE) - the run day for price observations, else the run date
select * from quarantined_companies
union all by name
select * from quarantined_deals
union all by name
select * from quarantined_deal_events
union all by name
select * from quarantined_chip_specs
union all by name
select * from quarantined_assumptions
union all by name
select * from quarantined_chip_prices
union all by name
select * exclude (run_day) from quarantined_price_observations
union all by name
select * from quarantined_company_facts
union all by name
select * from quarantined_filings
union all by name
select * from quarantined_press_releases
order by source_table, source_line, check_name, column_name
