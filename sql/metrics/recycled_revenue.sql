-- Recycled revenue: how much of what customers commit to a vendor the vendor financed itself.
-- Grain: one row per (scenario, vendor) that has spend-back flows coming in (disclosed or not).
--
-- columns:
--   scenario: as in scenario_flows
--   vendor: company_id of the vendor receiving spend-back flows
--   inbound_spend_usd: sum of disclosed spend-back flows customer -> vendor, USD
--   self_financed_usd: sum over customers of least(capital vendor -> customer, spend-back customer -> vendor), USD
--   recycled_share: self_financed_usd / inbound_spend_usd, 0 to 1; NULL when no inbound amount is disclosed
--   customers: number of customers with spend-back flows to the vendor
--   self_financing_customers: number of those customers the vendor financed (self_financed_usd > 0)
--   flow_ids: ids of the spend-back and capital flows behind the row, sorted
with per_customer as (
    select
        scenario,
        investor as vendor,
        investee as customer,
        coalesce(sum(amount_usd) filter (where flow_class = 'spend_back'), 0) as spend_usd,
        coalesce(sum(amount_usd) filter (where flow_class = 'capital'), 0) as capital_usd,
        count(*) filter (where flow_class = 'spend_back') as spend_back_flows,
        list(flow_id order by flow_id) as flow_ids
    from pair_flows
    group by all
)

select
    scenario,
    vendor,
    sum(spend_usd) as inbound_spend_usd,
    sum(least(capital_usd, spend_usd)) as self_financed_usd,
    sum(least(capital_usd, spend_usd)) / nullif(sum(spend_usd), 0) as recycled_share,
    count(*) as customers,
    count(*) filter (where least(capital_usd, spend_usd) > 0) as self_financing_customers,
    list_sort(flatten(list(flow_ids))) as flow_ids
from per_customer
where spend_back_flows > 0
group by all
order by scenario, inbound_spend_usd desc, vendor
