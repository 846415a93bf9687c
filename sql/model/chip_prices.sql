-- Hourly accelerator prices as each source stated them on the day they were observed.
-- Grain: one row per (observed_on, source, provider, region, instance_type, pricing).
-- Both prices are given: when a source states only one, the other is derived with chips_per_instance.
-- observed_on is the first day of the period the source dates the price to (date_precision says
-- whether that is a day, a month or a year).
select
    observed_on::date as observed_on,
    date_precision,
    source,
    provider,
    region,
    instance_type,
    chip,
    chips_per_instance::integer as chips_per_instance,
    pricing,
    coalesce(usd_per_instance_hour, usd_per_chip_hour * chips_per_instance)::double as usd_per_instance_hour,
    coalesce(usd_per_chip_hour, usd_per_instance_hour / chips_per_instance)::double as usd_per_chip_hour,
    source_url,
    source_quote,
    note
from clean_chip_prices
order by observed_on, source, provider, region, instance_type, pricing
