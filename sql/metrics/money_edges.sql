-- Money edges: the money graph that money_cycles walks and the report draws, defined here once.
-- Grain: one row per (scenario, source, target) with disclosed capital or spend-back flows from the
-- source to the target whose amounts sum to more than 0. Undisclosed flows are in no edge (they have
-- no weight). money_cycles breaks ties between equal bottlenecks with weight_rank.
--
-- columns:
--   scenario: as in scenario_flows
--   source: company_id the money comes from (deal_flows.from_company)
--   target: company_id the money goes to (deal_flows.to_company)
--   weight_usd: sum of the disclosed capital and spend-back flows source -> target, USD (more than 0)
--   capital_usd: the part of weight_usd from capital flows, USD (0 when none)
--   spend_back_usd: the part of weight_usd from spend-back flows, USD (0 when none)
--   weight_rank: 1 for the scenario's heaviest edge, then down by weight_usd; equal weights by source, then target
--   flow_ids: ids of the disclosed capital and spend-back flows source -> target, sorted
select
    scenario,
    from_company as source,
    to_company as target,
    sum(amount_usd) as weight_usd,
    coalesce(sum(amount_usd) filter (where flow_class = 'capital'), 0) as capital_usd,
    coalesce(sum(amount_usd) filter (where flow_class = 'spend_back'), 0) as spend_back_usd,
    row_number() over (partition by scenario order by sum(amount_usd) desc, from_company, to_company) as weight_rank,
    list(flow_id order by flow_id) as flow_ids
from scenario_flows
where
    flow_class in ('capital', 'spend_back')
    and amount_usd is not null
group by scenario, from_company, to_company
having sum(amount_usd) > 0
order by scenario, weight_rank
