"""Write the inputs of a scale run of the daily job: a data directory with N deal flows among K companies
and M dated price observations, all synthetic, all passing validation.

OUT becomes a copy of the bundled data/ (companies, chip specs, accelerators, assumptions, the price
recordings) in which three files are generated:

- deals.csv: N flows among the first K of COMPANIES (the bundled companies, labs, clouds and chip makers
  first), dense: flows come in announcements of two, an investment-type flow a -> b and a spend-back
  flow b -> a, and the announcements take every ordered pair in turn, so every ordered pair has about
  N / (K (K-1)) flows. A realistic mix of flow types, firmness, statuses (a superseded flow names a
  later flow of the same pair), amount bases, undisclosed amounts, stated bounds and day/month/year
  dates (2019-2025).
- deal_events.csv: one event (closed, tranche paid, walked back, ...) for about a fifth of the flows.
  The bundled events cannot stay: they name the bundled flows, and the pipeline reads the events file
  of the data directory with its deals.
- chip_prices.csv: M daily price observations, from 2025-12-31 back over `days` days (3 years by
  default; more when M needs them): each day the same series (provider x region x instance type x
  pricing, a seeded choice out of 9,216), prices drifting down over time with daily noise.

Why prices go in as chip_prices.csv: the price history a real warehouse holds was written one day per
run by the daily price sources (SkyPilot, Azure, AWS), each run validating only its own day. Replaying
years of days that way (a local server per day, a run per day at 20 s or more each) would take hours,
and writing the history into the warehouse tables directly would skip the pipeline's own reading and
validation. chip_prices.csv, the curated `reference` observations read from the data directory on
every run, is the one real path that takes a whole dated history in one run, with the same columns,
the same pandera checks (outliers against peers, duplicates) and the same chip_prices model. It is a
harsher load than the steady state: every run parses and validates all M rows, where a real run
validates one day's rows and only the SQL reads the whole history. The data directory has no
AIINFRA_* setting (PipelineSettings.data_dir), so the job is pointed at OUT with resources of its own
(benchmarks/bench_scale.py, tests/test_gen_scale.py).

Everything is plainly synthetic (flow ids syn-0000001, URLs on example.invalid, note "synthetic
benchmark row") and deterministic for a seed. numpy draws the values and DuckDB writes the CSV files:
1M flows and 10M prices take well under a minute.

    python benchmarks/gen_scale.py OUT [--flows 1000000] [--companies 10] [--prices 10000000] [--days 1096]
"""

import argparse
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
END = date(2025, 12, 31)  # the last day of generated history: in the past, so no date is in the future
FIRST_DEAL = date(2019, 1, 1)
NOTE = "synthetic benchmark row"

# Labs, clouds and chip makers first, so that the default 10 companies have the mix of the real graph.
LEADING = ["amazon", "microsoft", "google", "openai", "anthropic", "nvidia", "oracle", "coreweave", "xai", "amd"]
BUNDLED = pd.read_csv(DATA / "companies.csv", dtype=str).company_id.tolist()
COMPANIES = LEADING + [c for c in BUNDLED if c not in LEADING]

CAPITAL = {"equity_investment": 50, "loan_or_credit": 15, "warrant": 8, "capacity_backstop": 7, "other": 20}
SPEND_BACK = {"cloud_commitment": 45, "chip_purchase": 20, "datacenter_lease": 15, "power_purchase": 10, "other": 10}
STATUSES = {"announced": 58, "reported": 18, "loi": 7, "unverified": 5, "superseded": 12}
TIERS = {"company": 45, "major_outlet": 35, "filing": 10, "other": 10}
EVENTS = {"closed": 35, "tranche_paid": 25, "definitive": 20, "walked_back": 8, "lapsed": 7, "cancelled": 5}
CHIP_FAMILIES = ["H100", "B200", "GB200", "MI355X", "TPU-v7", "Trainium2"]

# Price series: provider (price level), 16 regions each, a chip (chip-hour list level) in instances of
# 1 or 8, and a pricing kind (share of on-demand).
PROVIDERS = {
    "aws": 1.0,
    "gcp": 1.05,
    "azure": 1.1,
    "oci": 0.85,
    "coreweave": 0.8,
    "lambda": 0.75,
    "nebius": 0.78,
    "runpod": 0.7,
}
REGIONS_PER_PROVIDER = 16
CHIPS = {
    "H100": 2.9,
    "H200": 3.7,
    "B200": 5.2,
    "GB200": 6.8,
    "A100-80GB": 1.8,
    "MI300X": 2.5,
    "TPU-v5p": 4.2,
    "TPU-v6e": 2.7,
    "Trainium2": 2.1,
}
CHIPS_PER_INSTANCE = (1, 8)
PRICINGS = {"on_demand": 1.0, "spot": 0.4, "reserved_1y": 0.7, "reserved_3y": 0.5}
YEARLY_DRIFT = 0.8  # prices a year later are about 80% of the year before


def choose(rng: np.random.Generator, weights: dict[str, int], n: int) -> pd.Categorical:
    p = np.array(list(weights.values()), dtype=float)
    return pd.Categorical.from_codes(rng.choice(len(weights), size=n, p=p / p.sum()), list(weights))


def deals(rng: np.random.Generator, flows: int, companies: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flows (values as numbers and categories; write_csv formats them) and their events."""
    names = COMPANIES[:companies]
    pairs = [(a, b) for a in range(companies) for b in range(companies) if a != b]
    i = np.arange(flows)
    deal = i // 2
    investor, investee = (np.array(side)[deal % len(pairs)] for side in zip(*pairs, strict=True))  # every pair in turn
    spend_back = i % 2 == 1  # the second flow of an announcement goes back the other way
    from_company = np.where(spend_back, investee, investor)
    to_company = np.where(spend_back, investor, investee)
    capital, spend = choose(rng, CAPITAL, flows), choose(rng, SPEND_BACK, flows)
    flow_type = np.where(spend_back, np.asarray(spend), np.asarray(capital))

    # A superseded flow names the same pair's flow of a later announcement, which must exist.
    successor = i + 2 * len(pairs)
    status = np.asarray(choose(rng, STATUSES, flows)).astype(object)
    status[(status == "superseded") & (successor >= flows)] = "announced"
    is_firm = (rng.random(flows) < 0.8) & (status != "loi")

    per_year = rng.random(flows) < 0.12
    undisclosed = rng.random(flows) < 0.15
    amount = np.round(10 ** np.where(per_year, rng.uniform(8, 10.3, flows), rng.uniform(7, 11, flows)), -6)
    amount[undisclosed] = np.nan
    term = np.where(per_year | (rng.random(flows) < 0.2), rng.integers(2, 11, flows), np.nan)
    at_least = rng.random(flows) < 0.1  # "more than $X": the stated floor is the figure
    up_to = ~is_firm & (rng.random(flows) < 0.5)  # "up to": an option's stated ceiling, here twice the figure
    gw_types = np.isin(flow_type, ["datacenter_lease", "power_purchase", "chip_purchase"])

    announced = rng.integers(0, (END - FIRST_DEAL).days + 1, flows)
    frame = pd.DataFrame(
        {
            "i": i,
            "deal": deal,
            "announced": announced,
            "precision": rng.choice(3, size=flows, p=[0.85, 0.1, 0.05]),  # day, month, year
            "from_company": pd.Categorical.from_codes(from_company, names),
            "to_company": pd.Categorical.from_codes(to_company, names),
            "flow_type": pd.Categorical(flow_type, categories=sorted(set(CAPITAL) | set(SPEND_BACK))),
            "amount_usd": amount,
            "amount_basis": np.where(per_year, "per_year", "total"),
            "amount_low_usd": np.where(at_least, amount, np.nan),
            "amount_high_usd": np.where(up_to, amount * 2, np.nan),
            "term_years": term,
            "is_firm": is_firm,
            "status": pd.Categorical(status, categories=list(STATUSES)),
            "successor": np.where(status == "superseded", successor, -1),
            "compute_gw": np.where(
                gw_types & (rng.random(flows) < 0.3), np.round(rng.uniform(0.1, 5, flows), 1), np.nan
            ),
            "chip_family": pd.Categorical.from_codes(
                np.where(flow_type == "chip_purchase", rng.integers(0, len(CHIP_FAMILIES), flows), -1), CHIP_FAMILIES
            ),
            "source_tier": choose(rng, TIERS, flows),
            "corroborating": rng.choice(3, size=flows, p=[0.3, 0.5, 0.2]),  # how many further sources
        }
    )
    with_event = np.flatnonzero(rng.random(flows) < 0.2)
    events = pd.DataFrame(
        {
            "i": with_event,
            "event_on": np.minimum(
                announced[with_event] + rng.integers(10, 500, len(with_event)), (END - FIRST_DEAL).days
            ),
            "event": choose(rng, EVENTS, len(with_event)),
        }
    )
    return frame, events


def prices(rng: np.random.Generator, observations: int, days: int) -> tuple[pd.DataFrame, date]:
    """Observation k is series k % per_day on day k // per_day from the first day, which is returned."""
    instances = [(chip, n) for chip in CHIPS for n in CHIPS_PER_INSTANCE]
    grid = len(PROVIDERS) * REGIONS_PER_PROVIDER * len(instances) * len(PRICINGS)
    days = max(days, -(-observations // grid))
    per_day = -(-observations // days)
    days = -(-observations // per_day)  # the days actually filled
    provider, region, instance, pricing = np.unravel_index(
        rng.permutation(grid)[:per_day], (len(PROVIDERS), REGIONS_PER_PROVIDER, len(instances), len(PRICINGS))
    )
    series = np.arange(observations) % per_day
    day = np.arange(observations) // per_day
    chip_level = np.array([CHIPS[chip] for chip, _ in instances])
    usd_per_chip_hour = (
        chip_level[instance] * np.array(list(PROVIDERS.values()))[provider] * np.array(list(PRICINGS.values()))[pricing]
    )[series]
    usd_per_chip_hour *= YEARLY_DRIFT ** ((day - days) / 365) * rng.lognormal(0, 0.05, observations)
    chips_per_instance = np.array([n for _, n in instances])[instance][series]
    regions = [f"{p}-syn-{r:02d}" for p in PROVIDERS for r in range(REGIONS_PER_PROVIDER)]
    frame = pd.DataFrame(
        {
            "day": day,
            "provider": pd.Categorical.from_codes(provider[series], list(PROVIDERS)),
            "region": pd.Categorical.from_codes(provider[series] * REGIONS_PER_PROVIDER + region[series], regions),
            "instance_type": pd.Categorical.from_codes(
                instance[series], [f"syn.{c.lower()}x{n}" for c, n in instances]
            ),
            "chip": pd.Categorical.from_codes(instance[series] // len(CHIPS_PER_INSTANCE), list(CHIPS)),
            "chips_per_instance": chips_per_instance,
            "pricing": pd.Categorical.from_codes(pricing[series], list(PRICINGS)),
            "usd_per_chip_hour": np.round(usd_per_chip_hour, 6),
            "usd_per_instance_hour": np.round(usd_per_chip_hour * chips_per_instance, 6),
        }
    )
    return frame, END - timedelta(days=days - 1)


def write_csv(conn: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    # Plain projections of one registered frame: DuckDB keeps its row order, so the files are the same
    # for the same seed.
    conn.execute(f"copy ({query}) to '{path}' (header, delimiter ',')")


def generate(out: Path, flows: int, companies: int, observations: int, days: int = 1096, seed: int = 7) -> None:
    if not 2 <= companies <= len(COMPANIES):
        raise ValueError(f"companies: from 2 to {len(COMPANIES)} (the bundled companies), got {companies}")
    out = Path(out)
    shutil.copytree(DATA, out, ignore=shutil.ignore_patterns("deals.csv", "deal_events.csv", "chip_prices.csv"))
    rng = np.random.default_rng(seed)
    flow_frame, event_frame = deals(rng, flows, companies)
    price_frame, first_day = prices(rng, observations, days)
    conn = duckdb.connect()
    conn.register("flows", flow_frame)
    conn.register("events", event_frame)
    conn.register("observations", price_frame)
    flow_id = "printf('syn-%07d', {} + 1)"
    url = "'https://example.invalid/{}/' || " + flow_id
    write_csv(
        conn,
        f"""
        select {flow_id.format("i")} as flow_id, printf('syn-deal-%07d', deal + 1) as deal_id,
            left(strftime(date '{FIRST_DEAL}' + announced::int, '%Y-%m-%d'), [10, 7, 4][precision + 1])
                as announced_on,
            from_company, to_company, flow_type, amount_usd::bigint as amount_usd, amount_basis,
            amount_low_usd::bigint as amount_low_usd, amount_high_usd::bigint as amount_high_usd,
            term_years::int as term_years, is_firm, status,
            case when successor >= 0 then {flow_id.format("successor")} end as superseded_by,
            compute_gw, chip_family, {url.format("deals", "i")} as source_url, '{NOTE}' as source_quote,
            case when source_tier in ('filing', 'company') then {url.format("releases", "i")} end as primary_source_url,
            source_tier,
            nullif(array_to_string([{url.format("press", "i")}, {url.format("wire", "i")}][:corroborating], ';'), '')
                as corroborating_urls,
            '{END}' as last_verified_on, '{NOTE}' as note
        from flows""",
        out / "deals.csv",
    )
    write_csv(
        conn,
        f"""
        select {flow_id.format("i")} as flow_id, strftime(date '{FIRST_DEAL}' + event_on::int, '%Y-%m-%d') as event_on,
            event, {url.format("events", "i")} as source_url, '{NOTE}' as quote
        from events""",
        out / "deal_events.csv",
    )
    write_csv(
        conn,
        f"""
        select strftime(date '{first_day}' + day::int, '%Y-%m-%d') as observed_on, 'day' as observed_on_precision,
            provider, region, instance_type, chip, chips_per_instance, pricing, usd_per_instance_hour,
            usd_per_chip_hour, 'https://example.invalid/prices/' || provider || '/' || observed_on as source_url,
            'synthetic@' || observed_on as source_revision, '{NOTE}' as source_quote, '{NOTE}' as note
        from observations""",
        out / "chip_prices.csv",
    )
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path, help="the data directory to create (must not exist)")
    parser.add_argument("--flows", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=10)
    parser.add_argument("--prices", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=1096, help="days of price history (more if --prices needs them)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.flows, args.companies, args.prices, args.days, args.seed)


if __name__ == "__main__":
    main()
