-- Company exposure: how much money each company has coming in and going out across all its flows.
-- Grain: one row per (scenario, company_id) for every company with a flow in the scenario.
--
-- columns:
--   scenario: as in scenario_flows
--   company_id: company with at least one flow in the scenario
--   inflow_usd: sum of disclosed amounts of flows into the company, USD; 0 when none is disclosed
--   outflow_usd: sum of disclosed amounts of flows out of the company, USD; 0 when none is disclosed
--   net_usd: inflow_usd - outflow_usd, USD
--   flows: number of flows into or out of the company
--   undisclosed_flows: number of those flows with no disclosed amount
--   flow_ids: ids of those flows, sorted
with legs as (
    select
        scenario,
        to_company as company_id,
        amount_usd as inflow_usd,
        0 as outflow_usd,
        flow_id
    from scenario_flows

    union all

    select
        scenario,
        from_company as company_id,
        0 as inflow_usd,
        amount_usd as outflow_usd,
        flow_id
    from scenario_flows
)

select
    scenario,
    company_id,
    coalesce(sum(inflow_usd), 0) as inflow_usd,
    coalesce(sum(outflow_usd), 0) as outflow_usd,
    coalesce(sum(inflow_usd), 0) - coalesce(sum(outflow_usd), 0) as net_usd,
    count(*) as flows,
    count(*) filter (where inflow_usd is null or outflow_usd is null) as undisclosed_flows,
    list(flow_id order by flow_id) as flow_ids
from legs
group by all
order by scenario, company_id
