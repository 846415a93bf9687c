-- Per scenario, buyers and spend_usd are the count and the sum of provider_concentration's rows, each
-- provider's usd is the sum of what every buyer spends with it, and hhi is the sum of (100 x share)^2
-- over the listed shares. Returns the scenarios that break this.
with per_buyer as (
    select
        scenario,
        count(*) as buyers,
        sum(spend_usd) as spend_usd
    from provider_concentration
    group by scenario
),

per_provider as (
    select
        scenario,
        shares.share.provider,
        sum(shares.share.usd) as usd
    from provider_concentration, unnest(provider_shares) as shares (share)
    group by all
),

listed as (
    select
        scenario,
        shares.share.provider,
        shares.share.usd
    from market_concentration, unnest(provider_shares) as shares (share)
),

totals_differ as (
    select scenario
    from market_concentration
    full join per_buyer using (scenario)
    where
        market_concentration.buyers is distinct from per_buyer.buyers
        or market_concentration.spend_usd is distinct from per_buyer.spend_usd
        or abs(market_concentration.hhi - list_sum([(100 * s.share) ^ 2 for s in market_concentration.provider_shares]))
        > 1e-6
),

providers_differ as (
    select scenario
    from listed
    full join per_provider using (scenario, provider)
    where listed.usd is distinct from per_provider.usd
)

select scenario from totals_differ
union
select scenario from providers_differ
