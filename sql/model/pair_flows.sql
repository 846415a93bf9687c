-- Capital and spend-back flows oriented by pair, so that money out and money back line up: a capital
-- flow investor -> investee and a spend-back flow from the investee back to the investor both appear
-- under (investor, investee). round_trips and recycled_revenue (where the investor is the vendor) read it.
-- Grain: one row per (scenario, capital or spend-back flow).
--
-- columns:
--   scenario: as in scenario_flows
--   flow_id: the flow (deal_flows.flow_id)
--   flow_class: capital (investor -> investee) or spend_back (investee -> investor)
--   investor: company_id that puts capital in, or receives the spend-back
--   investee: company_id that receives capital, or commits the spend-back
--   amount_usd: as in deal_flow_terms
select
    scenario,
    flow_id,
    flow_class,
    if(flow_class = 'capital', from_company, to_company) as investor,
    if(flow_class = 'capital', to_company, from_company) as investee,
    amount_usd
from scenario_flows
where flow_class in ('capital', 'spend_back')
order by scenario, flow_id
