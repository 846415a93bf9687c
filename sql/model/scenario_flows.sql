-- The flows each scenario counts, so every metric applies the same rules.
-- Grain: one row per (scenario, flow_id).
-- headline: every flow except cancelled and superseded ones (a superseded flow is restated by the
-- flow named in its superseded_by, so counting both would count the same money twice).
-- firm: headline flows that are firm (no "up to" options, contingent tranches, letters of intent or
-- unconfirmed reports).
--
-- columns:
--   scenario: headline (all flows but cancelled and superseded) or firm (headline flows that are firm)
--   flow_id: unique id of the flow
--   deal_id: id of the announcement the flow belongs to, shared by its flows
--   announced_on: announcement date (DATE); the first day of the month or year when only that is known
--   date_precision: day, month or year - how precisely announced_on is known
--   from_company: company_id the value flows from (investor, customer, buyer, warrant issuer, backstopper)
--   to_company: company_id the value flows to (investee, provider, vendor, warrant holder)
--   flow_type: equity_investment, warrant, loan_or_credit, capacity_backstop, cloud_commitment, ... or other
--   flow_class: capital, spend_back or other, grouped from flow_type
--   amount_usd: total nominal USD over the term (a per-year figure times term_years); NULL = undisclosed
--   stated_amount_usd: the amount as the source states it (total or per year), USD; NULL = undisclosed
--   amount_basis: total or per_year - how the source states the amount
--   is_firm: false for "up to" options, contingent tranches, letters of intent and unconfirmed reports
--   status: announced, reported, loi, closed, cancelled or superseded
--   superseded_by: flow_id of the flow that restates this one; NULL unless status is superseded
--   term_years: contract term, years; NULL when none is stated
--   compute_gw: capacity named in the deal, GW; NULL when none is stated
--   chip_family: chip named in the deal (the canonical name when it has a spec row); NULL when none is named
--   source_url: URL of the page where the figure is stated
--   source_quote: the sentence that states the figure
--   note: amount qualifiers (up to, more than, per year ...) and curation notes
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
