"""The daily job on the bundled data: the published contract, the cited figures, reproducibility."""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Pipeline

B = Decimal(10) ** 9

# DESIGN.md §2: the columns each published table must have.
CONTRACT = {
    "companies": ["company_id", "name", "kind", "is_big_three"],
    "deal_flows": ["flow_id", "deal_id", "announced_on", "date_precision", "from_company", "to_company",
                   "flow_type", "flow_class", "amount_usd", "is_firm", "status", "term_years", "compute_gw",
                   "chip_family", "source_url"],
    "chip_specs": ["chip", "vendor", "bf16_dense_tflops", "hbm_gb", "tdp_w"],
    "chip_prices": ["observed_on", "source", "provider", "region", "instance_type", "chip", "chips_per_instance",
                    "pricing", "usd_per_instance_hour", "usd_per_chip_hour"],
    "quarantine": ["source_table", "row_ref", "column_name", "check_name", "failure_value", "reason", "detected_at"],
    "round_trips": ["scenario", "investor", "investee", "capital_usd", "spend_back_usd", "round_trip_ratio",
                    "circular_usd", "flow_ids"],
    "money_cycles": ["scenario", "cycle", "hops", "bottleneck_usd", "gross_usd", "flow_ids"],
    "company_exposure": ["scenario", "company_id", "inflow_usd", "outflow_usd", "net_usd"],
    "recycled_revenue": ["scenario", "vendor", "inbound_spend_usd", "self_financed_usd", "recycled_share"],
    "provider_concentration": ["scenario", "buyer", "providers", "hhi", "top_provider", "top_share",
                               "big_three_share"],
    "compute_equivalents": ["scenario", "flow_id", "chip", "priced_on", "usd_per_chip_hour", "chip_hours",
                            "chip_years", "h100_equiv_years", "est_gw"],
    "price_performance": ["chip", "provider", "pricing", "observed_on", "usd_per_chip_hour", "usd_per_pflop_hour"],
    "deal_timeline": ["scenario", "month", "flow_class", "usd", "cumulative_usd"],
    "assumptions": ["name", "value", "unit", "source"],
}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Pipeline:
    pipeline = Pipeline(warehouse_dir=tmp_path_factory.mktemp("bundled") / "warehouse")
    assert pipeline.run().success
    return pipeline


def table_contents(pipeline: Pipeline) -> dict[str, list[tuple]]:
    tables = [t for (t,) in pipeline.query("select table_name from duckdb_tables() order by 1")]
    return {t: pipeline.query(f"select * from {t} order by all") for t in tables}


def test_published_tables_have_the_contract_columns(bundled):
    for table, columns in CONTRACT.items():
        found = [c for (c,) in bundled.query(
            "select column_name from duckdb_columns() where table_name = ? order by column_index", [table])]
        assert set(columns) <= set(found), (table, set(columns) - set(found))
        parquet = bundled.snapshot.parent / "parquet" / f"{table}.parquet"
        assert bundled.query(f"select count(*) from '{parquet}'") == bundled.query(f"select count(*) from {table}")


def test_every_verified_flow_is_published_and_only_deliberate_quirks_quarantined(bundled):
    assert bundled.query("select count(*) from deal_flows") == [(71,)]
    assert bundled.query("select count(*) from deal_flows where source_url not like 'http%'") == [(0,)]
    # The curated files are clean; the price recordings keep real quirks on purpose (data/price_snapshots).
    assert bundled.query("select record->>'source', record->>'instance_type', check_name from quarantine "
                         "order by all") == [
        ("azure-snapshot", "Standard_ND96is_MI300X_v5", "not_positive"),  # a 0.0 retail price
        ("skypilot-snapshot", "p4de.24xlarge", "duplicate_observation"),  # listed as A100 and A100-80GB
        ("skypilot-snapshot", "tpu-v5p-8", "duplicate_observation"),  # an exact duplicate row, on demand
        ("skypilot-snapshot", "tpu-v5p-8", "duplicate_observation"),  # ... and spot
    ]


def test_chip_prices_come_from_every_source_format(bundled):
    sources = {s for (s,) in bundled.query("select distinct source from chip_prices")}
    assert sources == {"reference", "skypilot-snapshot", "azure-snapshot", "aws-snapshot"}
    chips = {c for (c,) in bundled.query("select distinct chip from chip_prices")}
    assert {"H100", "H200", "B200", "A100", "A100-80GB", "MI300X", "TPU-v5p", "Trainium2", "Inferentia2"} <= chips
    assert chips <= {c for (c,) in bundled.query("select chip from chip_specs")}
    assert bundled.query("select count(*) from chip_prices where usd_per_instance_hour is null "
                         "or usd_per_chip_hour is null or chips_per_instance is null") == [(0,)]
    # AWS p5.48xlarge after the June-2025 cut: $55.044 an hour for 8 H100s
    assert bundled.query(
        "select usd_per_instance_hour, usd_per_chip_hour from chip_prices where source = 'aws-snapshot' "
        "and instance_type = 'p5.48xlarge' and region = 'us-east-1' and pricing = 'on_demand'"
    ) == [(55.044, 55.044 / 8)]
    # Azure reservations are stated as term totals: published as hourly prices below on-demand
    [(on_demand, one_year)] = bundled.query(
        "select max(usd_per_instance_hour) filter (pricing = 'on_demand'), "
        "max(usd_per_instance_hour) filter (pricing = 'reserved_1y') from chip_prices "
        "where source = 'azure-snapshot' and instance_type = 'Standard_ND96isr_H100_v5' and region = 'eastus'")
    assert on_demand == 98.32 and 0 < one_year < on_demand


def test_amazon_anthropic_round_trip_has_its_cited_figures(bundled):
    rows = bundled.query(
        "select scenario, capital_usd, spend_back_usd, circular_usd, flow_ids from round_trips "
        "where investor = 'amazon' and investee = 'anthropic' order by scenario")
    # $1.25B + $2.75B + $4B (2023-24) + $5B now + up to $20B more (2026); "more than $100 billion over
    # the next ten years" back to AWS. The $20B option is not firm.
    assert [r[:4] for r in rows] == [
        ("firm", 13 * B, 100 * B, 13 * B),
        ("headline", 33 * B, 100 * B, 33 * B),
    ]
    assert "amzn-anthropic-2026-aws" in rows[1][4] and "amzn-anthropic-2026-inv-option" in rows[1][4]
    [(quote,)] = bundled.query("select source_quote from deal_flows where flow_id = 'amzn-anthropic-2026-aws'")
    assert "$100 billion over the next ten years" in quote


def test_oracle_overlap_is_counted_once(bundled):
    # $30B/yr (July) and $300B over five years (September) describe the same 4.5 GW.
    rows = bundled.query("select flow_id, amount_usd from scenario_flows where scenario = 'headline' "
                         "and from_company = 'openai' and to_company = 'oracle'")
    assert rows == [("orcl-openai-2025-sep", 300 * B)]


def test_running_again_gives_identical_contents(bundled, tmp_path):
    first = table_contents(bundled)
    again = Pipeline(warehouse_dir=bundled.warehouse_dir)
    assert again.run().success
    assert table_contents(again) == first


def test_snapshot_opens_in_a_duckdb_1x_client(bundled):
    cli = Path(__import__("sys").executable).parent / "duckdb"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.")
    out = subprocess.run([cli, "-readonly", "-csv", "-noheader", str(bundled.snapshot),
                          "-c", "select count(*) from deal_flows"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "71"


def test_the_questions_users_come_with_are_answered_with_cited_flows(bundled):
    # Recycled revenue: Amazon financed 33 of Anthropic's 100 and 50 of OpenAI's 138 committed back.
    rows = bundled.query("select vendor, inbound_spend_usd, self_financed_usd, recycled_share, flow_ids "
                         "from recycled_revenue where scenario = 'headline' and vendor in ('amazon', 'microsoft') "
                         "order by vendor")
    assert [r[:3] for r in rows] == [("amazon", 238 * B, 83 * B), ("microsoft", 280 * B, 18 * B)]
    assert rows[0][3] == pytest.approx(83 / 238) and rows[1][3] == pytest.approx(18 / 280)
    assert "amzn-anthropic-2026-aws" in rows[0][4] and "msft-openai-2025-azure" in rows[1][4]

    # The largest loop: Amazon -> OpenAI ($50B in two tranches) -> AWS ($38B + $100B).
    [(cycle, bottleneck, flows)] = bundled.query(
        "select cycle, bottleneck_usd, flow_ids from money_cycles where scenario = 'headline' "
        "order by bottleneck_usd desc limit 1")
    assert (cycle, bottleneck) == (["amazon", "openai"], 50 * B)
    assert bundled.query(f"select count(*) from deal_flows where flow_id in (select unnest({flows})) "
                         "and source_url like 'http%'") == [(len(flows),)]

    # Provider HHI: both labs are highly concentrated (above 1,800).
    hhi = dict(bundled.query("select buyer, hhi from provider_concentration where scenario = 'headline' "
                             "and buyer in ('openai', 'anthropic')"))
    # OpenAI: Microsoft 250, Oracle 300, AWS 138, CoreWeave 22.4, Cerebras 10 (of 720.4)
    assert hhi["openai"] == pytest.approx(sum(x * x for x in (250, 300, 138, 22.4, 10)) / 720.4**2 * 10_000)
    # Anthropic: Google Cloud 203, AWS 100, Broadcom 21, Microsoft 30 (of 354)
    assert hhi["anthropic"] == pytest.approx(sum(x * x for x in (203, 100, 21, 30)) / 354**2 * 10_000)

    # What "more than $100 billion over ten years" to AWS buys: Trainium2 at the on-demand price.
    [(chip, price, chip_years, h100_years, gw, basis)] = bundled.query(
        "select chip, usd_per_chip_hour, chip_years, h100_equiv_years, est_gw, gw_basis from compute_equivalents "
        "where scenario = 'headline' and flow_id = 'amzn-anthropic-2026-aws'")
    assert chip == "Trainium2" and price == pytest.approx(85.964 / 16)  # trn2.48xlarge, 16 chips
    assert chip_years == pytest.approx(100e9 / price / 8760)
    assert h100_years == pytest.approx(chip_years * 667 / 989.4)  # dense BF16 TFLOPS relative to H100
    assert (gw, basis) == (5.0, "stated in the deal")
