-- The flows each scenario counts on the run's day, so every metric applies the same rules (they are
-- in scenario_flows_as_of; the same for another day: scenario_flows_as_of(d)).
-- headline: every flow except superseded, cancelled, lapsed, walked-back and unverified ones (a
-- superseded flow is restated by the flow named in its superseded_by, so counting both would count
-- the same money twice). firm: headline flows with firm terms that a party announced or that closed.
-- Grain: one row per (scenario, flow_id).
--
-- columns:
--   scenario: headline (all flows but superseded, cancelled, lapsed, walked-back and unverified) or firm (headline flows with firm terms, announced by a party or closed)
--   ...: every column of deal_flows
select * from scenario_flows_as_of(getvariable('run_day'))
order by scenario, flow_id
