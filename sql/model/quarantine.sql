-- Rows of the sources that failed validation, kept with the reason instead of disappearing.
-- Grain: one row per (source row, failed check): a row with two faults appears twice.
-- row_ref names the row (file line and key); record holds the whole row as read, as JSON.
select * from quarantined_companies
union all by name
select * from quarantined_deals
union all by name
select * from quarantined_chip_specs
union all by name
select * from quarantined_chip_prices
order by source_table, source_line, check_name, column_name
