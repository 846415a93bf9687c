-- Announced deal flows as they stand on the run's day: every column of deal_flow_terms, plus the
-- status that day (from deal_status_history). The same for any other day: flows_as_of(d).
-- Grain: one row per flow_id; flows of one announcement share deal_id.
--
-- columns:
--   ...: every column of deal_flow_terms
--   status: status on the run's day - announced, reported, loi, unverified, closed, lapsed, walked_back, cancelled or superseded
--   status_since: day the flow took that status (DATE)
--   status_changed_by: what set it - announcement, an event (event: closed, ...) or superseded by <flow_id>
select * from flows_as_of(getvariable('run_day'))
order by flow_id
