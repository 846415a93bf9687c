-- Deal timeline: how much money was announced each month, by flow class, and the running total.
-- Grain: one row per (scenario, month, flow_class) with at least one flow. A flow dated only to a
-- year counts in January of that year (its date_precision says so in deal_flows).
--
-- columns:
--   scenario: as in scenario_flows
--   month: first day of the month of announcement (DATE); a flow dated only to a year counts in January
--   flow_class: capital, spend_back or other
--   usd: sum of disclosed amounts announced that month in the class, USD; 0 when none is disclosed
--   cumulative_usd: running total of usd per scenario and flow_class up to and including the month, USD
--   flows: number of flows announced that month in the class
--   undisclosed_flows: as in company_exposure
--   flow_ids: ids of the flows announced that month in the class, sorted
with monthly as (
    select
        scenario,
        date_trunc('month', announced_on)::date as month,
        flow_class,
        coalesce(sum(amount_usd), 0) as usd,
        count(*) as flows,
        count(*) filter (where amount_usd is null) as undisclosed_flows,
        list(flow_id order by flow_id) as flow_ids
    from scenario_flows
    group by all
)

select
    scenario,
    month,
    flow_class,
    usd,
    sum(usd) over (partition by scenario, flow_class order by month) as cumulative_usd,
    flows,
    undisclosed_flows,
    flow_ids
from monthly
order by scenario, month, flow_class
