-- Market concentration: how concentrated all buyers' compute spending together is across providers.
-- Grain: one row per scenario. It pools the rows of provider_concentration (one per buyer): a
-- provider's usd here is the sum of every buyer's disclosed compute spending with it, so summing
-- spend_usd over provider_concentration gives this row's spend_usd, and nothing is counted twice.
--
-- columns:
--   scenario: as in scenario_flows
--   buyers: number of buyers with disclosed compute spending
--   providers: number of providers with disclosed compute spending from any buyer
--   spend_usd: total disclosed compute spending of every buyer (cloud commitments and chip purchases), USD
--   hhi: as in provider_concentration
--   top_provider: as in provider_concentration
--   top_share: as in provider_concentration
--   big_three_share: as in provider_concentration
--   provider_shares: as in provider_concentration
--   flow_ids: as in provider_concentration
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
