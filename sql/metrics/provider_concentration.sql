-- Provider concentration: how concentrated each buyer's compute spending is across providers.
-- Grain: one row per (scenario, buyer) with disclosed compute spending (every buyer pooled: market_concentration).
-- Compute spending is the spend-back that buys compute (buys_compute: cloud commitments and chip
-- purchases; not data-centre leases or power). A provider's share is its part of the buyer's
-- disclosed compute spending; the HHI threshold of 1,800 is the DOJ/FTC 2023 merger guidelines'.
--
-- columns:
--   scenario: as in scenario_flows
--   buyer: company_id of the buyer
--   providers: number of providers with disclosed compute spending from the buyer
--   spend_usd: total disclosed compute spending of the buyer (cloud commitments and chip purchases), USD
--   hhi: sum of (100 x share)^2 over providers, 0 to 10,000; above 1,800 is highly concentrated
--   top_provider: company_id of the provider with the largest share (ties broken by id)
--   top_share: share of the largest provider, fraction 0 to 1
--   big_three_share: share going to Amazon, Microsoft and Google, fraction 0 to 1
--   provider_shares: list of {provider, usd, share} for every provider, largest share first; usd in USD
--   flow_ids: ids of the compute-buying flows behind the row, sorted
with spend as (
    select
        scenario,
        from_company as buyer,
        to_company as provider,
        sum(amount_usd) as usd,
        list(flow_id order by flow_id) as flow_ids
    from scenario_flows
    where
        buys_compute
        and amount_usd is not null
    group by all
    having sum(amount_usd) > 0
),

shares as (
    select
        spend.*,
        usd / sum(usd) over (partition by scenario, buyer) as share,
        companies.is_big_three
    from spend
    left join companies on companies.company_id = spend.provider
)

select
    scenario,
    buyer,
    count(*) as providers,
    sum(usd) as spend_usd,
    -- from exact decimal sums, so a re-run gives the same digits (summing doubles in parallel may not)
    sum(usd * usd) / (sum(usd) * sum(usd)) * 10000 as hhi,
    first(provider order by share desc, provider) as top_provider,
    max(share) as top_share,
    coalesce(sum(usd) filter (where is_big_three), 0) / sum(usd) as big_three_share,
    list({ 'provider': provider, 'usd': usd, 'share': share } order by share desc, provider) as provider_shares,
    list_sort(flatten(list(flow_ids))) as flow_ids
from shares
group by scenario, buyer
order by scenario, spend_usd desc, buyer
