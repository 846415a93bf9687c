-- Round trips: capital one company puts into another, against what the second commits back to the first.
-- Grain: one row per (scenario, investor, investee) where the investor has capital flows into the
-- investee and the investee has spend-back flows to the investor (disclosed or not).
-- Sums use disclosed amounts; undisclosed flows are counted (undisclosed_flows) and listed in flow_ids.
--
-- columns:
--   scenario: as in scenario_flows
--   investor: company_id putting capital into the investee and receiving its spend-back
--   investee: company_id receiving the capital and committing spend-back to the investor
--   capital_usd: sum of disclosed capital flows investor -> investee, USD
--   spend_back_usd: sum of disclosed spend-back flows investee -> investor, USD
--   round_trip_ratio: spend_back_usd / capital_usd; NULL when capital_usd = 0
--   circular_usd: least(capital_usd, spend_back_usd), the money that can have gone round; USD
--   undisclosed_flows: number of flows of the pair with no disclosed amount
--   flow_ids: ids of the flows behind the row, capital flows first, then spend-back
with pairs as (
    select
        scenario,
        investor,
        investee,
        coalesce(sum(amount_usd) filter (where flow_class = 'capital'), 0) as capital_usd,
        coalesce(sum(amount_usd) filter (where flow_class = 'spend_back'), 0) as spend_back_usd,
        count(*) filter (where flow_class = 'capital') as capital_flows,
        count(*) filter (where flow_class = 'spend_back') as spend_back_flows,
        count(*) filter (where amount_usd is null) as undisclosed_flows,
        list(flow_id order by flow_class, flow_id) as flow_ids  -- capital flows first, then spend-back
    from pair_flows
    group by all
)

select
    scenario,
    investor,
    investee,
    capital_usd,
    spend_back_usd,
    spend_back_usd / nullif(capital_usd, 0) as round_trip_ratio,
    least(capital_usd, spend_back_usd) as circular_usd,
    undisclosed_flows,
    flow_ids
from pairs
where
    capital_flows > 0
    and spend_back_flows > 0
order by scenario, circular_usd desc, investor, investee
