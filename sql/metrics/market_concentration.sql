-- Market concentration: how concentrated all buyers' compute spending together is across providers.
-- Grain: one row per scenario. It pools the rows of provider_concentration (one per buyer): a
-- provider's usd here is the sum of every buyer's disclosed compute spending with it, so summing
-- spend_usd over provider_concentration gives this row's spend_usd, and nothing is counted twice.
-- share, hhi, top_provider and big_three_share are defined as in provider_concentration.
--
-- columns:
--   scenario: headline or firm - which flows the row counts (the rules are in scenario_flows)
--   buyers: number of buyers with disclosed compute spending
--   providers: number of providers with disclosed compute spending from any buyer
--   spend_usd: total disclosed compute spending of every buyer (cloud commitments and chip purchases), USD
--   hhi: sum of (100 x share)^2 over providers, 0 to 10,000; above 1,800 is highly concentrated
--   top_provider: company_id of the provider with the largest share (ties broken by id)
--   top_share: share of the largest provider, fraction 0 to 1
--   big_three_share: share going to Amazon, Microsoft and Google, fraction 0 to 1
--   provider_shares: list of {provider, usd, share} for every provider, largest share first; usd in USD
--   flow_ids: ids of the compute-buying flows behind the row, sorted
with buyer_spend as (
    select
        scenario,
        buyer,
        unnest(provider_shares, recursive := true)
    from provider_concentration
),

pooled as (
    select
        scenario,
        provider,
        sum(usd) as usd
    from buyer_spend
    group by scenario, provider
),

shares as (
    select
        pooled.*,
        usd / sum(usd) over (partition by scenario) as share,
        companies.is_big_three
    from pooled
    left join companies on companies.company_id = pooled.provider
),

cited as (
    select
        scenario,
        list_sort(flatten(list(flow_ids))) as flow_ids,
        count(*) as buyers
    from provider_concentration
    group by scenario
)

select
    shares.scenario,
    any_value(cited.buyers) as buyers,
    count(*) as providers,
    sum(usd) as spend_usd,
    -- from exact decimal sums, so a re-run gives the same digits (summing doubles in parallel may not)
    sum(usd * usd) / (sum(usd) * sum(usd)) * 10000 as hhi,
    first(provider order by share desc, provider) as top_provider,
    max(share) as top_share,
    coalesce(sum(usd) filter (where is_big_three), 0) / sum(usd) as big_three_share,
    list({ 'provider': provider, 'usd': usd, 'share': share } order by share desc, provider) as provider_shares,
    any_value(cited.flow_ids) as flow_ids
from shares
inner join cited using (scenario)
group by shares.scenario
order by shares.scenario
