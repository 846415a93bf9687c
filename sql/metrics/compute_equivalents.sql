-- Compute equivalents: what each disclosed compute commitment (a cloud commitment or chip purchase:
-- buys_compute) buys in chips, at the price in force when it was announced.
-- Grain: one row per (scenario, compute-buying flow with an amount).
-- chip = the flow's chip_family when it is a chip in chip_specs, else the default chip (assumptions).
-- The price is the median across providers of each provider's median on-demand price per chip-hour
-- on the latest observation day on or before the announcement (ASOF join on chip_prices); a flow
-- announced before the chip's first observation takes the earliest one (priced_before_first_observation).
-- chip_hours = amount / price; chip_years = chip_hours / hours_per_year; h100_equiv_years scales
-- chip_years by dense BF16 TFLOPS relative to the reference chip; est_gw = compute_gw when the deal
-- states it, else the average chips in service over the term (chip_years / term_years) x all-in IT
-- watts per chip x PUE (gw_basis says which, or why there is none); gw_from_spend is that estimate
-- even when the deal states its gigawatts, to compare the two. A chip with no price gets no numbers.
--
-- columns:
--   scenario: as in scenario_flows
--   flow_id: the compute-buying flow (cloud commitment or chip purchase) with a disclosed amount that is valued
--   chip: chip it is priced as - the chip_family when in chip_specs, else the default chip (assumptions)
--   priced_on: day of the price used (latest on or before the announcement, else the first); NULL = no price
--   priced_before_first_observation: true when the flow predates every price of the chip, so the earliest is used
--   usd_per_chip_hour: median across providers of each provider median on-demand price that day; USD per chip-hour
--   priced_by_providers: number of providers behind that median; NULL = no price
--   chip_hours: amount_usd / usd_per_chip_hour, chip-hours; NULL = no price
--   chip_years: chip_hours / hours_per_year (8760), chip-years; NULL = no price
--   h100_equiv_years: chip_years scaled by dense BF16 TFLOPS relative to the reference chip (H100), H100-years
--   est_gw: compute_gw when the deal states it, else gw_from_spend, GW; NULL when neither (gw_basis says why)
--   gw_from_spend: chip_years / term_years x all-in IT watts per chip x PUE, GW; NULL without price, term or power
--   gw_basis: how est_gw was obtained (stated in the deal, estimated), or why it is NULL
with constants as (
    select
        max(try_cast(value as double)) filter (where name = 'hours_per_year') as hours_per_year,
        max(value) filter (where name = 'default_chip') as default_chip,
        max(value) filter (where name = 'reference_chip') as reference_chip,
        max(value) filter (where name = 'pricing_for_compute') as pricing,
        max(try_cast(value as double)) filter (where name = 'pue') as pue,
        max(try_cast(value as double)) filter (where name = 'it_watts_per_tdp_watt') as it_watts_per_tdp_watt
    from assumptions
),

chips as (
    select
        chip_specs.chip,
        chip_specs.bf16_dense_tflops,
        coalesce(try_cast(it_power.value as double), chip_specs.tdp_w * constants.it_watts_per_tdp_watt)
            as it_watts_per_chip
    from chip_specs
    cross join constants
    left join assumptions as it_power on it_power.name = 'it_watts_per_chip.' || chip_specs.chip
),

-- price_performance holds each provider's median price per chip-hour per chip, pricing and day
daily_prices as (
    select
        price_performance.chip,
        price_performance.observed_on,
        median(price_performance.usd_per_chip_hour) as usd_per_chip_hour,
        count(*) as providers
    from price_performance
    inner join constants on price_performance.pricing = constants.pricing
    group by all
),

first_prices as (
    select
        chip,
        min(observed_on) as observed_on
    from daily_prices
    group by chip
),

commitments as (
    select
        scenario_flows.scenario,
        scenario_flows.flow_id,
        scenario_flows.announced_on,
        scenario_flows.amount_usd,
        scenario_flows.term_years,
        scenario_flows.compute_gw,
        coalesce(chips.chip, constants.default_chip) as chip
    from scenario_flows
    cross join constants
    left join chips on chips.chip = scenario_flows.chip_family
    where
        scenario_flows.buys_compute
        and scenario_flows.amount_usd is not null
),

priced as (
    select
        commitments.*,
        coalesce(in_force.observed_on, first_prices.observed_on) as priced_on,
        in_force.observed_on is null and first_prices.observed_on is not null as priced_before_first_observation
    from commitments
    asof left join daily_prices as in_force
        on
            in_force.chip = commitments.chip
            and in_force.observed_on <= commitments.announced_on
    left join first_prices on first_prices.chip = commitments.chip
),

valued as (
    select
        priced.*,
        daily_prices.usd_per_chip_hour,
        daily_prices.providers,
        priced.amount_usd::double / daily_prices.usd_per_chip_hour as chip_hours,
        priced.amount_usd::double / daily_prices.usd_per_chip_hour / constants.hours_per_year as chip_years,
        chips.bf16_dense_tflops / reference.bf16_dense_tflops as h100_equiv_per_chip,
        chips.it_watts_per_chip,
        constants.pue
    from priced
    cross join constants
    left join daily_prices on daily_prices.chip = priced.chip and daily_prices.observed_on = priced.priced_on
    left join chips on chips.chip = priced.chip
    left join chips as reference on reference.chip = constants.reference_chip
)

select
    scenario,
    flow_id,
    chip,
    priced_on,
    priced_before_first_observation,
    usd_per_chip_hour,
    providers as priced_by_providers,
    chip_hours,
    chip_years,
    chip_years * h100_equiv_per_chip as h100_equiv_years,
    coalesce(compute_gw, chip_years / term_years * it_watts_per_chip * pue / 1e9) as est_gw,
    chip_years / term_years * it_watts_per_chip * pue / 1e9 as gw_from_spend,
    case
        when compute_gw is not null then 'stated in the deal'
        when usd_per_chip_hour is null then 'no price for the chip'
        when term_years is null then 'no term: chips in service unknown'
        when it_watts_per_chip is null then 'no power figure for the chip'
        else 'estimated: chips in service x all-in watts x PUE'
    end as gw_basis
from valued
order by scenario, flow_id
