-- Price-performance: what a petaFLOP-hour of dense BF16 compute costs on each chip, provider and
-- pricing, day by day; custom silicon (designed by a cloud for itself: Trainium, Inferentia, TPU,
-- Maia) against Nvidia, AMD and Intel.
-- Grain: one row per (chip, provider, pricing, observed_on); is_latest marks each series' last day.
--
-- columns:
--   chip: as in chip_specs
--   vendor: as in chip_specs
--   custom_silicon: as in chip_specs
--   provider: as in chip_prices
--   pricing: as in chip_prices
--   observed_on: day of the observations (DATE); first day of the period for month- or year-dated prices
--   usd_per_chip_hour: median over that day of the observations (regions, zones, instance types); USD per chip-hour
--   usd_per_pflop_hour: usd_per_chip_hour / (bf16_dense_tflops / 1000), USD per dense-BF16 PFLOP-hour; NULL = no TFLOPS
--   bf16_dense_tflops: as in chip_specs
--   observations: number of price observations behind the median
--   is_latest: true on the last observed_on of each (chip, provider, pricing) series
with daily as (
    select
        chip,
        provider,
        pricing,
        observed_on,
        median(usd_per_chip_hour) as usd_per_chip_hour,
        count(*) as observations
    from chip_prices
    group by all
)

select
    daily.chip,
    chip_specs.vendor,
    chip_specs.custom_silicon,
    daily.provider,
    daily.pricing,
    daily.observed_on,
    daily.usd_per_chip_hour,
    daily.usd_per_chip_hour / (chip_specs.bf16_dense_tflops / 1000) as usd_per_pflop_hour,
    chip_specs.bf16_dense_tflops,
    daily.observations,
    daily.observed_on = max(daily.observed_on) over (partition by daily.chip, daily.provider, daily.pricing)
        as is_latest
from daily
inner join chip_specs on chip_specs.chip = daily.chip
order by daily.chip, daily.provider, daily.pricing, daily.observed_on
