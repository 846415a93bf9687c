"""Metrics against numbers worked out by hand from tests/fixtures/small (amounts in $B below).

The fixture's flows:
  f1  bigcloud -> alpha    equity   10   firm
  f2  bigcloud -> alpha    equity   20   option (not firm)
  f3  alpha -> bigcloud    cloud     4/yr x 10 yrs = 40   firm
  f4  alpha -> bigcloud    cloud    25   superseded by f3: in no scenario
  f5  alpha -> bigcloud    cloud    undisclosed   firm
  f6  chipco -> alpha      equity    5   firm  \
  f7  alpha -> neo         cloud     6   firm   > the 3-hop cycle alpha -> neo -> chipco -> alpha
  f8  neo -> chipco        chips     3   firm  /  (chip B200: specs but no price)
  f9  fund -> neo          other     7   firm  (class other: exposure only)
  f10 fund -> alpha        equity    1   cancelled: in no scenario
Prices: H100 on aws 2025-05-01 at 98.32 per 8-GPU instance-hour (12.29 per chip-hour); TPU-v5p on
gcp 2025 at 4.20 per chip-hour. Assumptions: 8760 h/year, H100 1453.5 W all-in, PUE 1.2.
"""

import shutil
from decimal import Decimal

import duckdb
import pytest

from pipelines.sql_files import load_models
from pipelines.validation import FLOW_TYPES

B = Decimal(10) ** 9
MODELS = {m.name: m for m in load_models()}


def test_deal_flows_multiply_per_year_amounts_and_keep_date_precision(small):
    rows = small.query(
        "select flow_id, amount_usd, stated_amount_usd, flow_class, announced_on::varchar, date_precision "
        "from deal_flows where flow_id in ('f3', 'f5', 'f7', 'f8') order by flow_id"
    )
    assert rows == [
        ("f3", 40 * B, 4 * B, "spend_back", "2025-06-01", "day"),
        ("f5", None, None, "spend_back", "2024-01-10", "day"),
        ("f7", 6 * B, 6 * B, "spend_back", "2025-03-01", "month"),
        ("f8", 3 * B, 3 * B, "spend_back", "2024-01-01", "year"),
    ]


def test_deal_flows_resolve_aliases_to_company_ids(small):
    assert small.query(
        "select from_company, to_company from deal_flows where flow_id in ('f1', 'f6', 'f8') order by flow_id"
    ) == [("bigcloud", "alpha"), ("chipco", "alpha"), ("neo", "chipco")]


def test_scenarios_leave_out_superseded_cancelled_and_non_firm_flows(small):
    rows = small.query("select scenario, list(flow_id order by flow_id) from scenario_flows group by 1 order by 1")
    assert rows == [
        ("firm", ["f1", "f3", "f5", "f6", "f7", "f8", "f9"]),
        ("headline", ["f1", "f2", "f3", "f5", "f6", "f7", "f8", "f9"]),
    ]


def test_every_flow_type_but_other_has_a_class(small, tmp_path):
    """Flow classes are defined in deal_flow_terms.sql alone: no type validation accepts falls through there."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(small.settings.warehouse_db, copy)
    with duckdb.connect(str(copy)) as conn:
        conn.execute(
            "create or replace table clean_deals as "
            "select d.* replace (t.flow_type as flow_type, t.flow_type as flow_id) "
            "from (from clean_deals limit 1) as d, (select unnest(?::varchar[]) as flow_type) as t",
            [list(FLOW_TYPES)],
        )
        conn.execute(MODELS["deal_flow_terms"].create_statement())
        classes = dict(conn.execute("select flow_type, flow_class from deal_flow_terms").fetchall())
    assert set(classes) == set(FLOW_TYPES)
    assert [t for t, c in classes.items() if c == "other"] == ["other"]
    assert {t for t, c in classes.items() if c == "capital"} == {
        "equity_investment",
        "warrant",
        "loan_or_credit",
        "capacity_backstop",
    }


def test_round_trips(small):
    rows = small.query(
        "select scenario, investor, investee, capital_usd, spend_back_usd, round_trip_ratio, circular_usd, "
        "undisclosed_flows, flow_ids from round_trips order by scenario"
    )
    assert rows == [
        # capital f1 = 10; spend back f3 = 40 (f5 counted, not valued; f4 superseded)
        ("firm", "bigcloud", "alpha", 10 * B, 40 * B, 4.0, 10 * B, 1, ["f1", "f3", "f5"]),
        # capital f1 + f2 = 30; spend back 40; ratio 40 / 30
        ("headline", "bigcloud", "alpha", 30 * B, 40 * B, pytest.approx(4 / 3), 30 * B, 1, ["f1", "f2", "f3", "f5"]),
    ]


def test_money_edges(small):
    rows = small.query(
        "select scenario, source, target, weight_usd, capital_usd, spend_back_usd, weight_rank, flow_ids "
        "from money_edges order by scenario, weight_rank"
    )
    assert rows == [
        # f3 = 40 (f5 undisclosed: no weight, not cited; f4 superseded)
        ("firm", "alpha", "bigcloud", 40 * B, 0, 40 * B, 1, ["f3"]),
        ("firm", "bigcloud", "alpha", 10 * B, 10 * B, 0, 2, ["f1"]),  # the f2 option is not firm
        ("firm", "alpha", "neo", 6 * B, 0, 6 * B, 3, ["f7"]),
        ("firm", "chipco", "alpha", 5 * B, 5 * B, 0, 4, ["f6"]),
        ("firm", "neo", "chipco", 3 * B, 0, 3 * B, 5, ["f8"]),  # f9 fund -> neo is class other: no edge
        ("headline", "alpha", "bigcloud", 40 * B, 0, 40 * B, 1, ["f3"]),
        ("headline", "bigcloud", "alpha", 30 * B, 30 * B, 0, 2, ["f1", "f2"]),  # 10 + 20
        ("headline", "alpha", "neo", 6 * B, 0, 6 * B, 3, ["f7"]),
        ("headline", "chipco", "alpha", 5 * B, 5 * B, 0, 4, ["f6"]),
        ("headline", "neo", "chipco", 3 * B, 0, 3 * B, 5, ["f8"]),
    ]


def test_money_cycles(small):
    rows = small.query(
        "select scenario, cycle_rank, bottleneck_edge_rank, cycle, hops, bottleneck_usd, gross_usd, "
        "cycles_in_scenario, cycles_counted_up_to from money_cycles order by scenario, cycle_rank"
    )
    assert rows == [
        # edges alpha -> bigcloud 40, bigcloud -> alpha 10: bottleneck 10, gross 50; both scenarios have 2
        # cycles, all counted. Edges by weight: alpha -> bigcloud (rank 1), bigcloud -> alpha (2), alpha -> neo
        # (3), chipco -> alpha (4), neo -> chipco (5) in both scenarios, so the bottlenecks are ranks 2 and 5
        ("firm", 1, 2, ["alpha", "bigcloud"], 2, 10 * B, 50 * B, 2, None),
        # alpha -> neo 6, neo -> chipco 3, chipco -> alpha 5: bottleneck 3, gross 14
        ("firm", 2, 5, ["alpha", "neo", "chipco"], 3, 3 * B, 14 * B, 2, None),
        # bigcloud -> alpha is 10 + 20 = 30 in the headline scenario
        ("headline", 1, 2, ["alpha", "bigcloud"], 2, 30 * B, 70 * B, 2, None),
        ("headline", 2, 5, ["alpha", "neo", "chipco"], 3, 3 * B, 14 * B, 2, None),
    ]


def test_money_cycles_stop_at_max_cycles(small, tmp_path):
    """With max_cycles = 1 the search goes by bottleneck edge: weight_rank 1 (alpha -> bigcloud) closes no
    cycle on its own, weight_rank 2 (bigcloud -> alpha) closes alpha <-> bigcloud, and there it stops:
    one cycle found, so at least one, and ranks 3 to 5 (the 3-cycle's bottleneck is rank 5) never searched."""
    copy = tmp_path / "snapshot.duckdb"
    shutil.copy(small.snapshot, copy)
    with duckdb.connect(str(copy)) as conn:
        conn.execute("set variable max_cycles = 1")
        conn.execute(MODELS["money_cycles"].create_statement())
        rows = conn.execute(
            "select scenario, cycle_rank, cycle, cycles_in_scenario, cycles_counted_up_to "
            "from money_cycles order by scenario"
        ).fetchall()
    assert rows == [("firm", 1, ["alpha", "bigcloud"], None, 1), ("headline", 1, ["alpha", "bigcloud"], None, 1)]


def test_company_exposure(small):
    rows = small.query(
        "select scenario, company_id, inflow_usd, outflow_usd, net_usd, flows, undisclosed_flows "
        "from company_exposure order by scenario, company_id"
    )
    assert rows == [
        ("firm", "alpha", 15 * B, 46 * B, -31 * B, 5, 1),  # in f1 10 + f6 5; out f3 40 + f7 6 (+ f5)
        ("firm", "bigcloud", 40 * B, 10 * B, 30 * B, 3, 1),  # in f3 (+ f5); out f1
        ("firm", "chipco", 3 * B, 5 * B, -2 * B, 2, 0),
        ("firm", "fund", 0 * B, 7 * B, -7 * B, 1, 0),
        ("firm", "neo", 13 * B, 3 * B, 10 * B, 3, 0),  # in f7 6 + f9 7; out f8 3
        ("headline", "alpha", 35 * B, 46 * B, -11 * B, 6, 1),  # f2 adds 20 in
        ("headline", "bigcloud", 40 * B, 30 * B, 10 * B, 4, 1),
        ("headline", "chipco", 3 * B, 5 * B, -2 * B, 2, 0),
        ("headline", "fund", 0 * B, 7 * B, -7 * B, 1, 0),
        ("headline", "neo", 13 * B, 3 * B, 10 * B, 3, 0),
    ]


def test_chip_prices_derive_the_missing_price(small):
    rows = small.query(
        "select observed_on::varchar, observed_on_precision, source, chip, usd_per_instance_hour, usd_per_chip_hour "
        "from chip_prices order by chip"
    )
    assert rows == [
        ("2025-05-01", "day", "reference", "H100", 98.32, pytest.approx(98.32 / 8)),
        ("2025-01-01", "year", "reference", "TPU-v5p", pytest.approx(16.8), 4.2),
    ]


def test_recycled_revenue(small):
    rows = small.query(
        "select scenario, vendor, inbound_spend_usd, self_financed_usd, recycled_share, customers, flow_ids "
        "from recycled_revenue order by scenario, vendor"
    )
    assert rows == [
        # bigcloud: alpha spends 40 back (f3; f5 undisclosed) against 10 of firm capital (f1)
        ("firm", "bigcloud", 40 * B, 10 * B, 0.25, 1, ["f1", "f3", "f5"]),
        ("firm", "chipco", 3 * B, 0 * B, 0.0, 1, ["f8"]),  # chipco invested in alpha, not in neo
        ("firm", "neo", 6 * B, 0 * B, 0.0, 1, ["f7"]),
        # headline capital is f1 + f2 = 30: least(30, 40) = 30 of 40
        ("headline", "bigcloud", 40 * B, 30 * B, 0.75, 1, ["f1", "f2", "f3", "f5"]),
        ("headline", "chipco", 3 * B, 0 * B, 0.0, 1, ["f8"]),
        ("headline", "neo", 6 * B, 0 * B, 0.0, 1, ["f7"]),
    ]


def test_provider_concentration(small):
    rows = small.query(
        "select buyer, providers, spend_usd, hhi, top_provider, top_share, big_three_share, flow_ids "
        "from provider_concentration where scenario = 'headline' order by buyer"
    )
    assert rows == [
        # disclosed spend-back: alpha -> bigcloud 40, alpha -> neo 6, neo -> chipco 3
        (
            "alpha",
            2,
            46 * B,
            pytest.approx((40**2 + 6**2) / 46**2 * 10_000),
            "bigcloud",
            pytest.approx(40 / 46),
            pytest.approx(40 / 46),
            ["f3", "f7"],
        ),
        ("neo", 1, 3 * B, 10_000.0, "chipco", 1.0, 0.0, ["f8"]),  # a single provider
    ]
    # every flow here is firm, so the firm scenario is the same
    assert small.query(
        "select * exclude (scenario) from provider_concentration where scenario = 'firm' order by buyer"
    ) == small.query(
        "select * exclude (scenario) from provider_concentration where scenario = 'headline' order by buyer"
    )
    [(shares,)] = small.query(
        "select provider_shares from provider_concentration where scenario = 'headline' and buyer = 'alpha'"
    )
    assert [(s["provider"], s["usd"]) for s in shares] == [("bigcloud", 40 * B), ("neo", 6 * B)]


def test_market_concentration_pools_every_buyer(small):
    rows = small.query(
        "select scenario, buyers, providers, spend_usd, hhi, top_provider, top_share, big_three_share, flow_ids "
        "from market_concentration order by scenario"
    )
    # alpha -> bigcloud 40, alpha -> neo 6, neo -> chipco 3: 49 from two buyers; every flow is firm
    pooled = (
        2,
        3,
        49 * B,
        pytest.approx((40**2 + 6**2 + 3**2) / 49**2 * 10_000),
        "bigcloud",
        pytest.approx(40 / 49),
        pytest.approx(40 / 49),
        ["f3", "f7", "f8"],
    )
    assert rows == [("firm", *pooled), ("headline", *pooled)]
    # the per-buyer table has no pooled row, so its sum is the market's total
    assert small.query("select sum(spend_usd) from provider_concentration where scenario = 'headline'") == [(49 * B,)]


H100_PER_CHIP_HOUR = 98.32 / 8


def test_compute_equivalents(small):
    rows = small.query(
        "select flow_id, chip, priced_on::varchar, priced_before_first_observation, usd_per_chip_hour, chip_hours, "
        "chip_years, h100_equiv_years, est_gw, gw_basis, gw_from_spend from compute_equivalents "
        "where scenario = 'headline' "
        "order by flow_id"
    )
    f3_hours = 40e9 / H100_PER_CHIP_HOUR
    f7_hours = 6e9 / H100_PER_CHIP_HOUR
    f7_chips_in_service = f7_hours / 8760 / 2  # over its two-year term
    assert rows == [
        (
            "f3",
            "H100",
            "2025-05-01",
            False,
            pytest.approx(H100_PER_CHIP_HOUR),
            pytest.approx(f3_hours),
            pytest.approx(f3_hours / 8760),
            pytest.approx(f3_hours / 8760),
            1.5,
            "stated in the deal",
            pytest.approx(f3_hours / 8760 / 10 * 1453.5 * 1.2 / 1e9),
        ),  # what 10 years of spend would power
        # announced 2025-03, before the first H100 price (2025-05-01): priced at that earliest one
        (
            "f7",
            "H100",
            "2025-05-01",
            True,
            pytest.approx(H100_PER_CHIP_HOUR),
            pytest.approx(f7_hours),
            pytest.approx(f7_hours / 8760),
            pytest.approx(f7_hours / 8760),
            pytest.approx(f7_chips_in_service * 1453.5 * 1.2 / 1e9),
            "estimated: chips in service x all-in watts x PUE",
            pytest.approx(f7_chips_in_service * 1453.5 * 1.2 / 1e9),
        ),
        # B200 has specs but no price: counted, not valued
        ("f8", "B200", None, False, None, None, None, None, None, "no price for the chip", None),
    ]
    assert pytest.approx(0.0486, abs=1e-4) == rows[1][8]  # about 28,000 H100s at 1.74 kW each
    # f3, f7 and f8 are all firm: the firm scenario values them the same way
    assert small.query(
        "select * exclude (scenario) from compute_equivalents where scenario = 'firm' order by flow_id"
    ) == small.query(
        "select * exclude (scenario) from compute_equivalents where scenario = 'headline' order by flow_id"
    )


def test_price_performance(small):
    rows = small.query(
        "select chip, custom_silicon, provider, pricing, observed_on::varchar, usd_per_chip_hour, "
        "usd_per_pflop_hour, is_latest from price_performance order by chip"
    )
    assert rows == [
        ("H100", False, "aws", "on_demand", "2025-05-01", pytest.approx(12.29), pytest.approx(12.29 / 0.9894), True),
        ("TPU-v5p", True, "gcp", "on_demand", "2025-01-01", 4.2, pytest.approx(4.2 / 0.459), True),
    ]


def test_deal_timeline(small):
    rows = small.query(
        "select scenario, month::varchar, flow_class, usd, cumulative_usd, undisclosed_flows from deal_timeline "
        "order by scenario, flow_class, month"
    )
    assert rows == [
        ("firm", "2024-01-01", "capital", 10 * B, 10 * B, 0),  # f1
        ("firm", "2024-03-01", "capital", 5 * B, 15 * B, 0),  # f6
        ("firm", "2024-07-01", "other", 7 * B, 7 * B, 0),  # f9
        ("firm", "2024-01-01", "spend_back", 3 * B, 3 * B, 1),  # f8 (dated 2024: January) and f5 undisclosed
        ("firm", "2025-03-01", "spend_back", 6 * B, 9 * B, 0),  # f7
        ("firm", "2025-06-01", "spend_back", 40 * B, 49 * B, 0),  # f3
        ("headline", "2024-01-01", "capital", 30 * B, 30 * B, 0),  # f1 + the f2 option
        ("headline", "2024-03-01", "capital", 5 * B, 35 * B, 0),
        ("headline", "2024-07-01", "other", 7 * B, 7 * B, 0),
        ("headline", "2024-01-01", "spend_back", 3 * B, 3 * B, 1),
        ("headline", "2025-03-01", "spend_back", 6 * B, 9 * B, 0),
        ("headline", "2025-06-01", "spend_back", 40 * B, 49 * B, 0),
    ]


def test_assumptions_are_published_with_their_sources(small):
    assert small.query(
        "select name, value, unit from assumptions where name in ('pue', 'default_chip') order by name"
    ) == [("default_chip", "H100", "chip"), ("pue", "1.2", "facility W per IT W")]
