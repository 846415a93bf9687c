-- Hourly accelerator prices: the curated `reference` observations and every day's observations from
-- the price sources (skypilot, azure, aws, or their bundled *-snapshot recordings).
-- Grain: one row per (observed_on, source, provider, region, zone, instance_type, pricing); when a
-- recording is read on several days, its latest reading counts once.
-- chip is the canonical chip name; both prices are given (one is derived from the other with
-- chips_per_instance when a source states only one). observed_on is the first day of the period the
-- source dates the price to (date_precision says whether a day, a month or a year).
with daily_observations as (
    select * exclude (run_day)
    from clean_price_observations
    qualify row_number() over (
        partition by observed_on, source, provider, region, zone, instance_type, pricing
        order by run_day desc
    ) = 1
),

all_observations as (
    select * from clean_chip_prices
    union all by name
    select * from daily_observations
)

select
    observed_on::date as observed_on,
    date_precision,
    source,
    provider,
    region,
    zone,
    instance_type,
    accelerator,
    chip,
    chips_per_instance::integer as chips_per_instance,
    pricing,
    coalesce(usd_per_instance_hour, usd_per_chip_hour * chips_per_instance)::double as usd_per_instance_hour,
    coalesce(usd_per_chip_hour, usd_per_instance_hour / chips_per_instance)::double as usd_per_chip_hour,
    source_url,
    source_quote,
    note
from all_observations
order by observed_on, source, provider, region, zone, instance_type, pricing
