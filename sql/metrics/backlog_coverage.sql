-- Backlog coverage: each vendor's reported backlog (RPO, from its SEC filings) beside the commitments
-- to it that this tracker has, as they stood on the day the backlog was reported.
-- Grain: one row per (scenario, vendor, period_end) for every RPO figure in reported_financials.
-- The commitments are the disclosed spend-back flows to the vendor that the scenario counted on
-- period_end (scenario_flows_as_of: announced by then and still standing then). A commitment's amount is
-- its total over the term, part of which may already be revenue, while RPO is what is left to recognise:
-- committed_share compares the two sizes; it is not the part of the backlog the flows make up, and can
-- exceed 1. The self-financed part is counted as in recycled_revenue, on period_end.
--
-- columns:
--   scenario: as in scenario_flows
--   vendor: company_id of the company that reported the RPO
--   period_end: as in reported_financials
--   rpo_usd: the vendor's remaining performance obligations at period_end, as last reported, USD
--   committed_usd: sum of the disclosed spend-back flows to the vendor counted on period_end, USD; 0 when none
--   committed_share: committed_usd / rpo_usd; NULL when rpo_usd is 0
--   self_financed_usd: sum over those customers of least(capital vendor -> customer, spend-back customer -> vendor), both counted on period_end, USD
--   undisclosed_flows: number of spend-back flows to the vendor counted on period_end with no disclosed amount
--   flow_ids: ids of the spend-back flows to the vendor and of the vendor's capital flows to those customers, sorted
with rpo as (
    select
        company_id as vendor,
        period_end,
        value_usd as rpo_usd
    from reported_financials
    where concept = 'rpo'
),

vendor_flows as (
    -- by their terms: the spend-back flows to the vendor and the vendor's capital flows, each with the customer
    select
        rpo.vendor,
        rpo.period_end,
        terms.flow_id,
        case when terms.flow_class = 'spend_back' then terms.from_company else terms.to_company end as customer
    from rpo
    inner join deal_flow_terms as terms
        on rpo.vendor = case terms.flow_class
            when 'spend_back' then terms.to_company
            when 'capital' then terms.from_company
        end
),

counted_then as (
    -- those the scenario counted on period_end; asking about each flow (the filter on flow_id) lets DuckDB look
    -- up its status that day instead of building the whole day's set of counted flows for every period_end
    select
        vendor_flows.vendor,
        vendor_flows.period_end,
        flows.scenario,
        flows.flow_id,
        flows.flow_class,
        flows.amount_usd,
        vendor_flows.customer
    from vendor_flows,
        lateral (
            select * from scenario_flows_as_of(vendor_flows.period_end) as day_flows
            where day_flows.flow_id = vendor_flows.flow_id
        ) as flows
),

per_customer as (
    select
        scenario,
        vendor,
        period_end,
        customer,
        coalesce(sum(amount_usd) filter (where flow_class = 'spend_back'), 0) as spend_back_usd,
        coalesce(sum(amount_usd) filter (where flow_class = 'capital'), 0) as capital_usd,
        count(*) filter (where flow_class = 'spend_back' and amount_usd is null) as undisclosed_flows,
        list(flow_id) as flow_ids
    from counted_then
    group by all
    having count(*) filter (where flow_class = 'spend_back') > 0  -- a customer of the vendor's
),

per_period as (
    select
        scenario,
        vendor,
        period_end,
        sum(spend_back_usd) as committed_usd,
        sum(least(capital_usd, spend_back_usd)) as self_financed_usd,
        sum(undisclosed_flows)::integer as undisclosed_flows,
        list_sort(flatten(list(flow_ids))) as flow_ids
    from per_customer
    group by all
),

scenarios as (
    select distinct scenario from scenario_flows
)

select
    scenarios.scenario,
    rpo.vendor,
    rpo.period_end,
    rpo.rpo_usd,
    coalesce(per_period.committed_usd, 0) as committed_usd,
    coalesce(per_period.committed_usd, 0) / nullif(rpo.rpo_usd, 0) as committed_share,
    coalesce(per_period.self_financed_usd, 0) as self_financed_usd,
    coalesce(per_period.undisclosed_flows, 0) as undisclosed_flows,
    coalesce(per_period.flow_ids, []) as flow_ids
from rpo
cross join scenarios
left join per_period using (scenario, vendor, period_end)
order by scenarios.scenario, rpo.vendor, rpo.period_end
