"""The daily job on the bundled data: the published contract, the cited figures, reproducibility."""

import csv
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DATA_DIR, Pipeline

B = Decimal(10) ** 9

# The runtime contract of the shared DESIGN (section 2): columns that analysts' queries rely on, kept here as an
# oracle independent of the code. Every published column and its meaning: the SQL headers (test_querying).
CONTRACT = {
    "companies": ["company_id", "name", "kind", "is_big_three"],
    "deal_flows": [
        "flow_id",
        "deal_id",
        "announced_on",
        "date_precision",
        "from_company",
        "to_company",
        "flow_type",
        "flow_class",
        "amount_usd",
        "is_firm",
        "status",
        "term_years",
        "compute_gw",
        "chip_family",
        "source_url",
        "primary_source_url",
        "source_tier",
        "corroborating_urls",
        "last_verified_on",
        "amount_low_usd",
        "amount_high_usd",
    ],
    "deal_events": ["flow_id", "event_on", "event", "source_url", "quote"],
    "data_quality": ["measure", "source_tier", "flows", "headline_usd", "share_of_headline_usd", "flow_ids"],
    "chip_specs": ["chip", "vendor", "bf16_dense_tflops", "hbm_gb", "tdp_w"],
    "chip_prices": [
        "observed_on",
        "source",
        "provider",
        "region",
        "instance_type",
        "chip",
        "chips_per_instance",
        "pricing",
        "usd_per_instance_hour",
        "usd_per_chip_hour",
        "source_url",
        "source_revision",
        "observed_on_precision",
    ],
    "quarantine": ["source_table", "row_ref", "column_name", "check_name", "failure_value", "reason", "detected_at"],
    "round_trips": [
        "scenario",
        "investor",
        "investee",
        "capital_usd",
        "spend_back_usd",
        "round_trip_ratio",
        "circular_usd",
        "flow_ids",
    ],
    "money_cycles": ["scenario", "cycle", "hops", "bottleneck_usd", "gross_usd"],
    "company_exposure": ["scenario", "company_id", "inflow_usd", "outflow_usd", "net_usd"],
    "recycled_revenue": ["scenario", "vendor", "inbound_spend_usd", "self_financed_usd", "recycled_share"],
    "provider_concentration": ["scenario", "buyer", "providers", "hhi", "top_provider", "top_share", "big_three_share"],
    "market_concentration": [
        "scenario",
        "buyers",
        "providers",
        "spend_usd",
        "hhi",
        "top_provider",
        "top_share",
        "big_three_share",
    ],
    "compute_equivalents": [
        "scenario",
        "flow_id",
        "chip",
        "priced_on",
        "usd_per_chip_hour",
        "chip_hours",
        "chip_years",
        "h100_equiv_years",
        "est_gw",
    ],
    "price_performance": ["chip", "provider", "pricing", "observed_on", "usd_per_chip_hour", "usd_per_pflop_hour"],
    "deal_timeline": ["scenario", "month", "flow_class", "usd", "cumulative_usd"],
    "assumptions": ["name", "value", "unit", "source"],
}
DEALS = list(csv.DictReader((DATA_DIR / "deals.csv").open(encoding="utf-8")))


def table_contents(pipeline: Pipeline) -> dict[str, list[tuple]]:
    tables = [t for (t,) in pipeline.query("select table_name from duckdb_tables() order by 1")]
    return {t: pipeline.query(f"select * from {t} order by all") for t in tables}


def test_published_tables_have_the_contract_columns(bundled):
    for table, columns in CONTRACT.items():
        found = [
            c
            for (c,) in bundled.query(
                "select column_name from duckdb_columns() where table_name = ? order by column_index", [table]
            )
        ]
        assert set(columns) <= set(found), (table, set(columns) - set(found))
        parquet = bundled.snapshot.parent / "parquet" / f"{table}.parquet"
        assert bundled.query(f"select count(*) from '{parquet}'") == bundled.query(f"select count(*) from {table}")


def test_every_curated_flow_is_published_and_only_real_price_quirks_quarantined(bundled):
    assert bundled.query("select count(*) from deal_flows") == [(len(DEALS),)]
    events = list(csv.DictReader((DATA_DIR / "deal_events.csv").open(encoding="utf-8")))
    assert bundled.query("select count(*) from deal_events") == [(len(events),)]
    # The curated files are clean. The real catalogs carry placeholders and duplicate rows; both are kept
    # out of chip_prices, with the reason.
    rejected = bundled.query(
        "select record->>'instance_type', check_name, count(*) from quarantine group by all order by all"
    )
    assert rejected == [
        ("tpu-v5p-11776", "duplicate_observation", 2),  # exact duplicate rows in the GCP catalog (both prices)
        ("tpu-v6e-1", "duplicate_observation", 2),
        ("tpu-v6e-1", "price_outlier", 9),  # 700.0 where that region does not sell it (about 2.7 elsewhere)
        ("tpu-v6e-8", "duplicate_observation", 2),
        ("tpu-v6e-8", "price_outlier", 5),
    ]


def test_every_published_price_is_traceable_to_a_real_source(bundled):
    sources = {s for (s,) in bundled.query("select distinct source from chip_prices")}
    assert sources == {"reference", "skypilot-snapshot"}  # no recording of the Azure or AWS formats is real
    assert bundled.query(
        "select count(*) from chip_prices where source_url not like 'https://%' "
        "or source_revision is null or observed_on_precision is null"
    ) == [(0,)]
    # A recording's rows name the catalog file at its commit, and quote the catalog line verbatim.
    manifest = json.loads((DATA_DIR / "price_snapshots" / "manifest.json").read_text())
    for recording in manifest["recordings"]:
        assert recording["source_revision"] in recording["source_url"]
        lines = (DATA_DIR / "price_snapshots" / recording["file"]).read_text().splitlines()
        quotes = bundled.query(
            "select distinct source_quote from chip_prices where source_url = ?", [recording["source_url"]]
        )
        assert quotes, recording["file"]
        for (quote,) in quotes:
            number, text = quote.removeprefix("line ").split(": ", 1)
            assert text == ",".join(next(csv.reader([lines[int(number) - 1]]))), (recording["file"], number)
    # The invented and rule-derived prices of the old recordings are gone.
    assert bundled.query(
        "select count(*) from chip_prices where instance_type in "
        "('Standard_ND96is_MI300X_v5', 'Standard_ND96isr_H200_v5') or usd_per_instance_hour in "
        "(21.96, 48.0, 110.24)"
    ) == [(0,)]
    # AWS p5.48xlarge after the June-2025 cut, from the catalog at a commit: $55.04 an hour for 8 H100s
    assert (55.04, 6.88) in bundled.query(
        "select usd_per_instance_hour, usd_per_chip_hour from chip_prices where source = 'reference' "
        "and instance_type = 'p5.48xlarge' and pricing = 'on_demand'"
    )
    chips = {c for (c,) in bundled.query("select distinct chip from chip_prices")}
    assert (
        {"H100", "H200", "B200", "A100", "A100-80GB", "MI300X", "TPU-v5p", "TPU-v6e", "Trainium1", "Inferentia2"}
        <= chips
        <= {c for (c,) in bundled.query("select chip from chip_specs")}
    )
    assert bundled.query(
        "select count(*) from chip_prices where usd_per_instance_hour is null "
        "or usd_per_chip_hour is null or chips_per_instance is null"
    ) == [(0,)]


def test_every_flow_is_sourced_and_most_headline_money_rests_on_a_primary_document(bundled):
    assert bundled.query(
        "select count(*) from deal_flows where source_tier is null or last_verified_on is null "
        "or source_url not like 'http%'"
    ) == [(0,)]
    [(share, meets)] = bundled.query(
        "select share_of_headline_usd, meets_target from data_quality where measure = 'on_primary_document'"
    )
    assert share >= 0.8 and meets
    # Unverified flows are published, and counted in no scenario.
    unverified = {f for (f,) in bundled.query("select flow_id from deal_flows where status = 'unverified'")}
    assert unverified == {r["flow_id"] for r in DEALS if r["status"] == "unverified"} and unverified
    assert bundled.query("select count(*) from scenario_flows where status = 'unverified'") == [(0,)]
    [(listed,)] = bundled.query("select flow_ids from data_quality where measure = 'unverified'")
    assert set(listed) == unverified


def test_amazon_anthropic_round_trip_has_its_cited_figures(bundled):
    rows = bundled.query(
        "select scenario, capital_usd, spend_back_usd, circular_usd, flow_ids from round_trips "
        "where investor = 'amazon' and investee = 'anthropic' order by scenario"
    )
    # $1.25B + $2.75B + $4B (2023-24) + $5B now + up to $20B more (2026); "more than $100 billion over
    # the next ten years" back to AWS. The $20B option is not firm.
    assert [r[:4] for r in rows] == [
        ("firm", 13 * B, 100 * B, 13 * B),
        ("headline", 33 * B, 100 * B, 33 * B),
    ]
    assert "amzn-anthropic-2026-aws" in rows[1][4] and "amzn-anthropic-2026-inv-option" in rows[1][4]
    [(quote, low, primary)] = bundled.query(
        "select source_quote, amount_low_usd, primary_source_url from deal_flows "
        "where flow_id = 'amzn-anthropic-2026-aws'"
    )
    assert "$100 billion" in quote and low == 100 * B and primary.startswith("https://www.anthropic.com/")


def test_oracle_overlap_is_counted_once_and_its_confirmation_makes_it_firm(bundled):
    # $30B/yr (July) and "more than $300 billion" over five years (September) describe the same 4.5 GW;
    # reported by the WSJ on 2025-09-10, confirmed by OpenAI on 2025-09-23.
    for scenario in ("headline", "firm"):
        rows = bundled.query(
            "select flow_id, amount_usd from scenario_flows where scenario = ? "
            "and from_company = 'openai' and to_company = 'oracle'",
            [scenario],
        )
        assert rows == [("orcl-openai-2025-sep", 300 * B)]
    assert bundled.query(
        "select status from flows_as_of(date '2025-09-15') where flow_id = 'orcl-openai-2025-sep'"
    ) == [("reported",)]
    assert bundled.query(
        "select count(*) from scenario_flows_as_of(date '2025-09-15') "
        "where scenario = 'firm' and flow_id like 'orcl-openai%'"
    ) == [(0,)]


def test_status_over_time_closings_and_walk_backs(bundled):
    def status_on(day: str, flow: str) -> list[tuple]:
        return bundled.query("select status from flows_as_of(?::date) where flow_id = ?", [day, flow])

    # SoftBank's 2025 round closed with its second tranche on 2025-12-26.
    assert status_on("2025-12-01", "sftb-openai-2025-inv") == [("announced",)]
    assert status_on("2026-01-01", "sftb-openai-2025-inv") == [("closed",)]
    # Nvidia's $100B letter of intent: counted in the headline at the end of 2025, walked back since.
    assert status_on("2025-12-31", "nvda-openai-2025-loi") == [("loi",)]
    assert bundled.query("select status, status_changed_by from deal_flows where flow_id = 'nvda-openai-2025-loi'") == [
        ("walked_back", "event: walked_back")
    ]
    assert status_on("2025-09-21", "nvda-openai-2025-loi") == []  # not yet announced
    # A metric as of a past date: capital into OpenAI in the headline scenario.
    then = bundled.query(
        "select sum(amount_usd), list(flow_id order by flow_id) from scenario_flows_as_of("
        "date '2025-12-31') where scenario = 'headline' and to_company = 'openai' "
        "and flow_class = 'capital'"
    )
    now = bundled.query(
        "select sum(amount_usd), list(flow_id order by flow_id) from scenario_flows "
        "where scenario = 'headline' and to_company = 'openai' and flow_class = 'capital'"
    )
    assert then[0][0] == 143 * B and "nvda-openai-2025-loi" in then[0][1]
    assert now[0][0] == 153 * B and "nvda-openai-2025-loi" not in now[0][1] and "nvda-openai-2026-inv" in now[0][1]


def test_running_again_gives_identical_contents(bundled, tmp_path):
    first = table_contents(bundled)
    # again over a copy of the shared run's warehouse, which other tests are reading
    again = Pipeline(warehouse_dir=tmp_path / "warehouse")
    shutil.copytree(bundled.warehouse_dir, again.warehouse_dir, symlinks=True)
    assert again.run().success
    rerun = table_contents(again)
    assert rerun.pop("changes") == []  # the same inputs: nothing changed since the run before
    first.pop("changes")
    assert rerun == first


def test_snapshot_opens_in_a_duckdb_1x_client(bundled):
    cli = Path(__import__("sys").executable).parent / "duckdb"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.")
    out = subprocess.run(
        [
            cli,
            "-readonly",
            "-csv",
            "-noheader",
            str(bundled.snapshot),
            "-c",
            "select count(*) from deal_flows; select count(*) from flows_as_of(date '2025-12-31')",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    total, then = out.stdout.split()
    assert int(total) == len(DEALS) and 0 < int(then) < len(DEALS)


README = (Path(__file__).parent.parent / "README.md").read_text()
# Every figure README.md quotes from the bundled data: the sentence as quoted, and the query that gives it.
QUOTED = [
    (
        "Alphabet reported $467.6B of remaining performance obligations at 2026-03-31 (10-Q of 2026-04-30), up\n"
        "from $242.8B at the end of 2025; the disclosed commitments to Google standing then add up to $13.0B\n(2.8%",
        "select period_end::varchar, rpo_usd / 1e9, committed_usd / 1e9, round(committed_share * 100, 1) "
        "from backlog_coverage where scenario = 'headline' and vendor = 'google' order by period_end desc limit 2",
        [("2026-03-31", 467.6, 13.0, 2.8), ("2025-12-31", 242.8, 13.0, 5.4)],
    ),
    (
        "Oracle reported $137.8B of remaining performance obligations at 2025-05-31 and $455.3B at 2025-08-31; then\n"
        '$523.3B at 2025-11-30 and $552.6B at 2026-02-28. OpenAI\'s "more than $300 billion" of September 2025 is\n'
        "57.3% of the RPO of 2025-11-30 and 54.3% of that of 2026-02-28, and it is the only tracked commitment to\n"
        "Oracle standing on either day. At 2025-08-31, OpenAI's $30B a year of July 2025 (five years: $150B) was\n"
        "standing, 32.9% of $455.3B",
        "select period_end::varchar, rpo_usd / 1e9, committed_usd / 1e9, round(committed_share * 100, 1), flow_ids "
        "from backlog_coverage where scenario = 'headline' and vendor = 'oracle' and period_end >= '2025-05-31' "
        "order by period_end",
        [
            ("2025-05-31", 137.8, 0.0, 0.0, []),
            ("2025-08-31", 455.3, 150.0, 32.9, ["orcl-openai-2025-jul"]),
            ("2025-11-30", 523.3, 300.0, 57.3, ["orcl-openai-2025-sep"]),
            ("2026-02-28", 552.6, 300.0, 54.3, ["orcl-openai-2025-sep"]),
        ],
    ),
    (
        "Amazon → OpenAI first ($50B in, $138B back)",
        "select capital_usd / 1e9, spend_back_usd / 1e9 from round_trips where scenario = 'headline' "
        "order by circular_usd desc limit 1",
        [(50, 138)],
    ),
    (
        "Amazon → Anthropic ($33B in, of which $20B an option",
        "select capital_usd / 1e9, (select amount_usd / 1e9 from deal_flows where flow_id = "
        "'amzn-anthropic-2026-inv-option') from round_trips where scenario = 'headline' and investor = 'amazon' "
        "and investee = 'anthropic'",
        [(33, 20)],
    ),
    (
        "then Microsoft → OpenAI ($13B in, $250B back)",
        "select investor, investee, capital_usd / 1e9, spend_back_usd / 1e9 from round_trips "
        "where scenario = 'headline' order by circular_usd desc limit 1 offset 2",
        [("microsoft", "openai", 13, 250)],
    ),
    (
        "Amazon: $83B of $238B (34.9%",
        "select self_financed_usd / 1e9, inbound_spend_usd / 1e9, round(recycled_share * 100, 1) from recycled_revenue "
        "where scenario = 'headline' and vendor = 'amazon'",
        [(83, 238, 34.9)],
    ),
    (
        "$28B (11.8%) counting firm money only",
        "select self_financed_usd / 1e9, round(recycled_share * 100, 1) from recycled_revenue "
        "where scenario = 'firm' and vendor = 'amazon'",
        [(28, 11.8)],
    ),
    (
        "Microsoft: $18B of $280B (6.4%); $13B (4.6%) firm",
        "select scenario, self_financed_usd / 1e9, inbound_spend_usd / 1e9, round(recycled_share * 100, 1) "
        "from recycled_revenue where vendor = 'microsoft' order by scenario desc",
        [("headline", 18, 280, 6.4), ("firm", 13, 280, 4.6)],
    ),
    (
        "$300B from OpenAI is not self-financed at all",
        "select inbound_spend_usd / 1e9, self_financed_usd from recycled_revenue where scenario = 'headline' "
        "and vendor = 'oracle'",
        [(300, 0)],
    ),
    (
        "Amazon ⇄ OpenAI ($50B can go round), Amazon ⇄ Anthropic ($33B), then two loops of $13B",
        "select cycle, bottleneck_usd / 1e9 from money_cycles where scenario = 'headline' "
        "order by bottleneck_usd desc, cycle limit 4",
        [
            (["amazon", "openai"], 50),
            (["amazon", "anthropic"], 33),
            (["amazon", "anthropic", "microsoft", "openai"], 13),
            (["microsoft", "openai"], 13),
        ],
    ),
    (
        "Amazon → OpenAI $50B (`amzn-openai-2026-inv` and its conditional tranche), OpenAI → Amazon $138B\n"
        "(`amzn-openai-2025-aws`, `amzn-openai-2026-aws`)",
        "select e.source, e.target, e.weight_usd / 1e9, e.flow_ids "
        "from money_cycles c, range(1, c.hops + 1) as hop(i) "
        "join money_edges e on e.scenario = c.scenario "
        "and e.source = c.cycle[i] and e.target = c.cycle[i % c.hops + 1] "
        "where c.scenario = 'headline' and c.cycle_rank = 1 order by i",
        [
            ("amazon", "openai", 50, ["amzn-openai-2026-inv", "amzn-openai-2026-inv-cond"]),
            ("openai", "amazon", 138, ["amzn-openai-2025-aws", "amzn-openai-2026-aws"]),
        ],
    ),
    (
        "OpenAI 3,445 (Oracle 42%; firm only: 3,624, Oracle 44%); Anthropic 3,318 (AWS 50%, then xAI's\n"
        "Colossus 22%; firm: 4,974, AWS 66%)",
        "select scenario, buyer, round(hhi), top_provider, round(top_share * 100), "
        "round(provider_shares[2].share * 100) from provider_concentration where buyer in ('openai', 'anthropic') "
        "order by all",
        [
            ("firm", "anthropic", 4974, "amazon", 66, 20),
            ("firm", "openai", 3624, "oracle", 44, 36),
            ("headline", "anthropic", 3318, "amazon", 50, 22),
            ("headline", "openai", 3445, "oracle", 42, 35),
        ],
    ),
    (
        "4.81 million H100-years at $7.12 per H100-hour",
        "select chip, priced_on::varchar, round(chip_years / 1e6, 2), round(usd_per_chip_hour, 2), est_gw, "
        "round(gw_from_spend, 2) from compute_equivalents where scenario = 'headline' "
        "and flow_id = 'orcl-openai-2025-sep'",
        [("H100", "2025-09-01", 4.81, 7.12, 4.5, 1.68)],
    ),
    (
        "Anthropic's $100B to AWS has no chip-years",
        "select chip, chip_years from compute_equivalents where scenario = 'headline' "
        "and flow_id = 'amzn-anthropic-2026-aws'",
        [("Trainium2", None)],
    ),
    (
        "MI300X $1.75, TPU-v6e $2.94, B200 $3.01, H100 $5.13, H200 $5.32,\nInferentia2 $5.69, Trainium1 $7.07, "
        "TPU-v5p $9.15",
        "select chip, round(median(usd_per_pflop_hour), 2) from price_performance where is_latest "
        "and pricing = 'on_demand' and chip in ('MI300X', 'TPU-v6e', 'B200', 'H100', 'H200', 'Inferentia2', "
        "'Trainium1', 'TPU-v5p') group by all order by 2",
        [
            ("MI300X", 1.75),
            ("TPU-v6e", 2.94),
            ("B200", 3.01),
            ("H100", 5.13),
            ("H200", 5.32),
            ("Inferentia2", 5.69),
            ("Trainium1", 7.07),
            ("TPU-v5p", 9.15),
        ],
    ),
    (
        "$143B of capital into OpenAI at the end of 2025, $100B of it Nvidia's letter of intent; $153B today",
        "select (select sum(amount_usd) / 1e9 from scenario_flows_as_of(date '2025-12-31') where scenario = 'headline' "
        "and to_company = 'openai' and flow_class = 'capital'), (select sum(amount_usd) / 1e9 from scenario_flows "
        "where scenario = 'headline' and to_company = 'openai' and flow_class = 'capital')",
        [(143, 153)],
    ),
    (
        "brought\nAmazon's $50B, Nvidia's $30B and SoftBank's $30B",
        "select from_company, sum(amount_usd) / 1e9 from scenario_flows where scenario = 'headline' "
        "and to_company = 'openai' and flow_class = 'capital' and announced_on = '2026-02-27' group by 1 order by 1",
        [("amazon", 50), ("nvidia", 30), ("softbank", 30)],
    ),
    (
        "91.1% of headline dollars rest on a primary document",
        "select round(share_of_headline_usd * 100, 1) from data_quality where measure = 'on_primary_document'",
        [(91.1,)],
    ),
    ("23 flows are unverified", "select flows from data_quality where measure = 'unverified'", [(23,)]),
]


@pytest.mark.parametrize(("quoted", "query", "expected"), QUOTED, ids=[q[0][:40] for q in QUOTED])
def test_every_figure_the_readme_quotes_is_what_the_snapshot_says(bundled, quoted, query, expected):
    assert quoted in README

    def plain(value):
        return float(value) if isinstance(value, Decimal) else value

    assert [tuple(plain(v) for v in row) for row in bundled.query(query)] == [
        tuple(pytest.approx(v) if isinstance(v, float) else v for v in row) for row in expected
    ]


def test_reported_financials_come_from_the_bundled_sec_recordings(bundled):
    """The bundled recordings are real SEC companyfacts answers (data/sec_snapshots/manifest.json); the
    figures below were read off those answers by hand."""
    rows = bundled.query(
        "select company_id, period_end::varchar, value_usd, form, filed_on::varchar, accession, source_url, "
        "recording from reported_financials where concept = 'rpo' and (company_id, period_end) in "
        "(('nvidia', '2026-04-26'), ('google', '2026-03-31'), ('oracle', '2025-08-31')) order by company_id"
    )
    cassettes = "https://github.com/dgunning/edgartools/blob/ca5a70094da7fc34890161dae9c256bb1f4c3d26/tests/cassettes"
    saved = (
        "https://github.com/AlexLIAOPOLY/cmhk-competitive-intelligence/blob/c5298db6af680c59b68042ab26dbc7f7ff451daa"
    )
    assert rows == [
        ("google", "2026-03-31", 467_600_000_000, "10-Q", "2026-04-30", "0001652044-26-000048",
         "https://data.sec.gov/api/xbrl/companyfacts/CIK0001652044.json",
         f"{cassettes}/test_goog_ttm_revenue_tracks_recent_window.yaml"),
        ("nvidia", "2026-04-26", 2_600_000_000, "10-Q", "2026-05-20", "0001045810-26-000052",
         "https://data.sec.gov/api/xbrl/companyfacts/CIK0001045810.json",
         f"{cassettes}/test_nvda_capex_resolves_to_recent_tag.yaml"),
        ("oracle", "2025-08-31", 455_300_000_000, "10-Q", "2025-09-10", "0001193125-25-200095",
         "https://data.sec.gov/api/xbrl/companyfacts/CIK0001341439.json",
         f"{saved}/data/external_dataset_candidates/sec_companyfacts/ORCL_CIK0001341439.json"),
    ]  # fmt: skip
    # NVIDIA's capex is under PaymentsToAcquireProductiveAssets since 2019: the latest period comes from it
    [(tag,)] = bundled.query(
        "select tag from reported_financials where company_id = 'nvidia' and concept = 'capex' "
        "order by period_end desc, period_start limit 1"
    )
    assert tag == "PaymentsToAcquireProductiveAssets"


def test_offline_deal_candidates_are_the_recorded_filings_sentences(bundled):
    """The bundled Amazon 10-K (data/sec_snapshots) names Anthropic with an amount in two sentences, read off the
    document by hand; both restate the tracked $1.25B note of 2023, so neither is new."""
    assert bundled.query(
        "select candidate_id, source_kind, company_id, counterparties, published_on::varchar, source_url, amount_usd, "
        "compute_gw, matched_flow_id, state, quote from deal_candidates order by candidate_id"
    ) == [
        ("0001018724-25-000004#2585", "filing", "amazon", ["anthropic"], "2025-02-07",
         "https://www.sec.gov/Archives/edgar/data/1018724/000101872425000004/amzn-20241231.htm", 1.25e9, None,
         "amzn-anthropic-2023-inv", "matched",
         "In Q3 2023, we invested in a $1.25 billion note from Anthropic, PBC, which is convertible to equity."),
        ("0001018724-25-000004#902", "filing", "amazon", ["anthropic"], "2025-02-07",
         "https://www.sec.gov/Archives/edgar/data/1018724/000101872425000004/amzn-20241231.htm", 1.25e9, None,
         "amzn-anthropic-2023-inv", "matched",
         "In Q3 2023, we invested $1.25 billion in a convertible note from Anthropic, PBC."),
    ]  # fmt: skip


def test_the_report_never_prints_an_undisclosed_amount_as_zero(bundled):
    """AMD's warrant to OpenAI and OpenAI's chip purchase from AMD both have no disclosed amount: the round trip
    says so instead of "$0.0B" and shows no ratio; NVIDIA's one standing commitment is undisclosed, so the backlog
    table shows no $0 and no share, and neither do the charts' points. Nothing in the report prints "$0"."""
    page = (bundled.settings.published_dir / "report.html").read_text()
    assert "$0.0B" not in page and "0.0×" not in page
    tables = re.findall(r"<table.*?</table>", page, flags=re.S)
    trips = next(t for t in tables if 'id="round-trips-table"' in t)
    [amd_openai] = re.findall(r"<tr><td>amd → openai</td>.*?</tr>", trips)
    cells = re.findall(r'<td class="num">(.*?)</td>', amd_openai)
    assert cells == ["undisclosed", "undisclosed", "–", "undisclosed"]
    backlog = next(t for t in tables if 'id="backlog-table"' in t)
    [nvidia] = re.findall(r"<tr><td>nvidia</td>.*?</tr>", backlog)
    assert re.findall(r'<td class="num">(.*?)</td>', nvidia) == ["$2.6B", "undisclosed", "–", "–"]
    assert 'aria-label="nvidia commitments 2026-04-26: undisclosed"' in page  # the chart's point
