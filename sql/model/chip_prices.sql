-- Hourly accelerator prices: the curated `reference` observations and every day's observations from
-- the price sources (skypilot, azure, aws, or their bundled *-snapshot recordings).
-- Grain: one row per (observed_on, source, provider, region, zone, instance_type, pricing); when a
-- recording is read on several days, its latest reading counts once.
-- chip is the canonical chip name; both prices are given (one is derived from the other with
-- chips_per_instance when a source states only one). Every row is a price a source really stated:
-- source_url is the real file, API or page and source_revision the version of it that was read.
-- observed_on is the first day of the period the source dates the price to (observed_on_precision
-- says whether a day, a month or a year; `approximate` when only a bound is known, evidence in note).
-- Row order: the reference rows as validation keeps them (by observed_on range, then file line), then the
-- daily observations by observed_on, source, provider, ...; the same on every run, but order in the query
-- that needs an order (sorting years of prices by every key took 8 s of 10 s for 10M rows).
--
-- columns:
--   observed_on: first day of the period the source dates the price to (DATE); see observed_on_precision
--   observed_on_precision: day, month, year, or approximate (a bound, with the evidence in note)
--   source: reference (curated), skypilot, azure, aws, or a recording (skypilot-snapshot, ...)
--   provider: cloud selling the instance (aws, gcp, azure, lambda, coreweave, runpod, ...)
--   region: provider region code (us-east-1, eastus, ...); NULL when the source does not state it
--   zone: availability zone within the region; NULL when the source gives none
--   instance_type: instance, VM SKU or slice name that is priced, without region text
--   accelerator: accelerator name as the price source spells it; NULL for curated reference rows
--   chip: canonical chip name (H100, TPU-v5p, Trainium2, ...) the accelerator maps to
--   chips_per_instance: accelerators per instance (1 for a per-GPU price with an unknown GPU count)
--   pricing: on_demand, spot, reserved_1y or reserved_3y (reservations as hourly prices)
--   usd_per_instance_hour: price of the whole instance, USD per instance-hour (chip price x chips if not stated)
--   usd_per_chip_hour: price per accelerator, USD per chip-hour (instance price / chips_per_instance if not stated)
--   source_url: URL of the catalog file, API or page the price comes from, as published
--   source_revision: which version of it was read - catalog commit, AWS offer version, Azure effectiveStartDate, page date
--   source_quote: the source line or sentence that states the price
--   note: how the row was read (unit conversions, evidence for an approximate date, ...); NULL when nothing to add
with daily_observations as (
    select * exclude (run_day)
    from clean_price_observations
    qualify
        row_number() over (
            partition by observed_on, source, provider, region, zone, instance_type, pricing
            order by run_day desc
        ) = 1
    order by observed_on, source, provider, region, zone, instance_type, pricing
),

all_observations as (
    select * from clean_chip_prices
    union all by name
    select * from daily_observations
)

select
    observed_on::date as observed_on,
    observed_on_precision,
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
    source_revision,
    source_quote,
    note
from all_observations
