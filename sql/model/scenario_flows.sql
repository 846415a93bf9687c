-- The flows each scenario counts, so every metric applies the same rules.
-- Grain: one row per (scenario, flow_id).
-- headline: every flow except cancelled and superseded ones (a superseded flow is restated by the
-- flow named in its superseded_by, so counting both would count the same money twice).
-- firm: headline flows that are firm (no "up to" options, contingent tranches, letters of intent or
-- unconfirmed reports).
with scenarios as (
    select * from (values ('headline'), ('firm')) as s(scenario)
)

select
    scenarios.scenario,
    deal_flows.*
from deal_flows
cross join scenarios
where deal_flows.status not in ('cancelled', 'superseded')
  and (scenarios.scenario = 'headline' or deal_flows.is_firm)
order by scenarios.scenario, deal_flows.flow_id
