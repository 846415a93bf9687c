-- Round trips: capital one company puts into another, against what the second commits back to the first.
-- Grain: one row per (scenario, investor, investee) where the investor has capital flows into the
-- investee and the investee has spend-back flows to the investor (disclosed or not).
-- capital_usd = sum of capital flows investor -> investee; spend_back_usd = sum of spend-back flows
-- investee -> investor; round_trip_ratio = spend_back_usd / capital_usd (NULL when capital_usd = 0);
-- circular_usd = least(capital_usd, spend_back_usd), the money that can have gone round.
-- Sums use disclosed amounts; undisclosed flows are counted (undisclosed_flows) and listed in flow_ids.
with capital as (
    select
        scenario,
        from_company as investor,
        to_company as investee,
        coalesce(sum(amount_usd), 0) as capital_usd,
        count(*) filter (where amount_usd is null) as undisclosed,
        list(flow_id order by flow_id) as flow_ids
    from scenario_flows
    where flow_class = 'capital'
    group by all
),

spend_back as (
    select
        scenario,
        to_company as investor,
        from_company as investee,
        coalesce(sum(amount_usd), 0) as spend_back_usd,
        count(*) filter (where amount_usd is null) as undisclosed,
        list(flow_id order by flow_id) as flow_ids
    from scenario_flows
    where flow_class = 'spend_back'
    group by all
)

select
    capital.scenario,
    capital.investor,
    capital.investee,
    capital.capital_usd,
    spend_back.spend_back_usd,
    spend_back.spend_back_usd / nullif(capital.capital_usd, 0) as round_trip_ratio,
    least(capital.capital_usd, spend_back.spend_back_usd) as circular_usd,
    capital.undisclosed + spend_back.undisclosed as undisclosed_flows,
    list_concat(capital.flow_ids, spend_back.flow_ids) as flow_ids
from capital
inner join spend_back using (scenario, investor, investee)
order by capital.scenario, circular_usd desc, capital.investor, capital.investee
