"""Metrics against numbers worked out by hand from tests/fixtures/small (amounts in $B below).

The fixture's flows:
  f1  bigcloud -> alpha    equity   10   firm
  f2  bigcloud -> alpha    equity   20   option (not firm)
  f3  alpha -> bigcloud    cloud     4/yr x 10 yrs = 40   firm
  f4  alpha -> bigcloud    cloud    25   superseded by f3: in no scenario
  f5  alpha -> bigcloud    cloud    undisclosed   firm
  f6  chipco -> alpha      equity    5   firm  \
  f7  alpha -> neo         cloud     6   firm   > the 3-hop cycle alpha -> neo -> chipco -> alpha
  f8  neo -> chipco        chips     3   firm  /
  f9  fund -> neo          other     7   firm  (class other: exposure only)
  f10 fund -> alpha        equity    1   cancelled: in no scenario
"""

from decimal import Decimal

import pytest

B = Decimal(10) ** 9


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    from conftest import SMALL, Pipeline

    pipeline = Pipeline(warehouse_dir=tmp_path_factory.mktemp("small") / "warehouse", data_dir=SMALL,
                        price_sources=[])
    result = pipeline.run()
    assert result.success
    return pipeline


def test_deal_flows_multiply_per_year_amounts_and_keep_date_precision(published):
    rows = published.query(
        "select flow_id, amount_usd, stated_amount_usd, flow_class, announced_on::varchar, date_precision "
        "from deal_flows where flow_id in ('f3', 'f5', 'f7', 'f8') order by flow_id")
    assert rows == [
        ("f3", 40 * B, 4 * B, "spend_back", "2025-06-01", "day"),
        ("f5", None, None, "spend_back", "2024-01-10", "day"),
        ("f7", 6 * B, 6 * B, "spend_back", "2025-03-01", "month"),
        ("f8", 3 * B, 3 * B, "spend_back", "2024-01-01", "year"),
    ]


def test_deal_flows_resolve_aliases_to_company_ids(published):
    assert published.query("select from_company, to_company from deal_flows where flow_id in ('f1', 'f6', 'f8') "
                           "order by flow_id") == [("bigcloud", "alpha"), ("chipco", "alpha"), ("neo", "chipco")]


def test_scenarios_leave_out_superseded_cancelled_and_non_firm_flows(published):
    rows = published.query("select scenario, list(flow_id order by flow_id) from scenario_flows group by 1 order by 1")
    assert rows == [
        ("firm", ["f1", "f3", "f5", "f6", "f7", "f8", "f9"]),
        ("headline", ["f1", "f2", "f3", "f5", "f6", "f7", "f8", "f9"]),
    ]


def test_round_trips(published):
    rows = published.query(
        "select scenario, investor, investee, capital_usd, spend_back_usd, round_trip_ratio, circular_usd, "
        "undisclosed_flows, flow_ids from round_trips order by scenario")
    assert rows == [
        # capital f1 = 10; spend back f3 = 40 (f5 counted, not valued; f4 superseded)
        ("firm", "bigcloud", "alpha", 10 * B, 40 * B, 4.0, 10 * B, 1, ["f1", "f3", "f5"]),
        # capital f1 + f2 = 30; spend back 40; ratio 40 / 30
        ("headline", "bigcloud", "alpha", 30 * B, 40 * B, pytest.approx(4 / 3), 30 * B, 1, ["f1", "f2", "f3", "f5"]),
    ]


def test_money_cycles(published):
    rows = published.query(
        "select scenario, cycle, hops, bottleneck_usd, gross_usd, flow_ids from money_cycles "
        "order by scenario, hops")
    assert rows == [
        # edges alpha -> bigcloud 40, bigcloud -> alpha 10: bottleneck 10, gross 50
        ("firm", ["alpha", "bigcloud"], 2, 10 * B, 50 * B, ["f1", "f3"]),
        # alpha -> neo 6, neo -> chipco 3, chipco -> alpha 5: bottleneck 3, gross 14
        ("firm", ["alpha", "neo", "chipco"], 3, 3 * B, 14 * B, ["f6", "f7", "f8"]),
        # bigcloud -> alpha is 10 + 20 = 30 in the headline scenario
        ("headline", ["alpha", "bigcloud"], 2, 30 * B, 70 * B, ["f1", "f2", "f3"]),
        ("headline", ["alpha", "neo", "chipco"], 3, 3 * B, 14 * B, ["f6", "f7", "f8"]),
    ]


def test_company_exposure(published):
    rows = published.query(
        "select scenario, company_id, inflow_usd, outflow_usd, net_usd, flows, undisclosed_flows "
        "from company_exposure order by scenario, company_id")
    assert rows == [
        ("firm", "alpha", 15 * B, 46 * B, -31 * B, 5, 1),      # in f1 10 + f6 5; out f3 40 + f7 6 (+ f5)
        ("firm", "bigcloud", 40 * B, 10 * B, 30 * B, 3, 1),    # in f3 (+ f5); out f1
        ("firm", "chipco", 3 * B, 5 * B, -2 * B, 2, 0),
        ("firm", "fund", 0 * B, 7 * B, -7 * B, 1, 0),
        ("firm", "neo", 13 * B, 3 * B, 10 * B, 3, 0),          # in f7 6 + f9 7; out f8 3
        ("headline", "alpha", 35 * B, 46 * B, -11 * B, 6, 1),  # f2 adds 20 in
        ("headline", "bigcloud", 40 * B, 30 * B, 10 * B, 4, 1),
        ("headline", "chipco", 3 * B, 5 * B, -2 * B, 2, 0),
        ("headline", "fund", 0 * B, 7 * B, -7 * B, 1, 0),
        ("headline", "neo", 13 * B, 3 * B, 10 * B, 3, 0),
    ]


def test_chip_prices_derive_the_missing_price(published):
    rows = published.query(
        "select observed_on::varchar, date_precision, source, chip, usd_per_instance_hour, usd_per_chip_hour "
        "from chip_prices order by chip")
    assert rows == [
        ("2025-05-01", "day", "reference", "H100", 98.32, pytest.approx(98.32 / 8)),
        ("2025-01-01", "year", "reference", "TPU-v5p", pytest.approx(16.8), 4.2),
    ]
