"""Status over time, sourcing and data quality, worked by hand on the small fixture plus its events.

The run is for 2026-01-15. Events (tests/fixtures/small/deal_events_with_faults.csv): f2 had a tranche paid
(2024-06-01) and closed (2025-01-01); f7 was walked back (2025-09-01); f5 was amended (2025-12-01);
f8 closed (2024-06); four events are bad (unknown flow, unknown kind, future date, not a date).
Sourcing changed for this test: f1 cites a filing, f3 and f7 a major outlet, f4, f6 and f9 other
sites; f6 is unverified; f3 was last verified 2025-06-01 (over 180 days before the run), f9 on
2025-07-20 (within), the rest later.
"""

import csv
from decimal import Decimal

import pytest
from conftest import SMALL, Pipeline

B = Decimal(10) ** 9
RUN_DAY = "2026-01-15"
SOURCING = {  # flow_id: (source_tier, has a primary document, last_verified_on, status)
    "f1": ("filing", True, "2026-01-10", "announced"),
    "f2": ("company", True, "2025-12-01", "announced"),
    "f3": ("major_outlet", False, "2025-06-01", "announced"),
    "f4": ("other", False, "2025-12-01", "superseded"),
    "f5": ("company", True, "2025-12-01", "announced"),
    "f6": ("other", False, "2025-12-01", "unverified"),
    "f7": ("major_outlet", True, "2025-12-01", "announced"),
    "f8": ("company", True, "2025-12-01", "announced"),
    "f9": ("other", False, "2025-07-20", "announced"),
    "f10": ("company", True, "2025-12-01", "cancelled"),
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pipeline:
    tmp = tmp_path_factory.mktemp("status")
    rows = list(csv.DictReader((SMALL / "deals.csv").open()))
    for row in rows:
        tier, primary, verified, status = SOURCING[row["flow_id"]]
        row.update(
            source_tier=tier,
            primary_source_url=row["source_url"] if primary else "",
            last_verified_on=verified,
            status=status,
        )
    deals = tmp / "deals.csv"
    with deals.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    pipeline = Pipeline(
        tmp / "warehouse",
        data_dir=SMALL,
        price_sources=[],
        deals_source=str(deals),
        deal_events_source=str(SMALL / "deal_events_with_faults.csv"),
    )
    assert pipeline.run(RUN_DAY).success
    return pipeline


def test_status_on_the_run_day_comes_from_the_latest_event(pipeline):
    rows = pipeline.query(
        "select flow_id, announced_status, status, status_since::varchar, status_changed_by "
        "from deal_flows where flow_id in ('f2', 'f5', 'f7', 'f8', 'f4') order by flow_id"
    )
    assert rows == [
        ("f2", "announced", "closed", "2025-01-01", "event: closed"),
        ("f4", "superseded", "superseded", "2025-06-01", "superseded by f3"),
        ("f5", "announced", "announced", "2024-01-10", "announcement"),  # amended: status unchanged
        ("f7", "announced", "walked_back", "2025-09-01", "event: walked_back"),
        ("f8", "announced", "closed", "2024-06-01", "event: closed"),  # month precision: its first day
    ]


def test_flows_as_of_a_past_day(pipeline):
    def as_of(day):
        return dict(pipeline.query("select flow_id, status from flows_as_of(?::date)", [day]))

    # Flows announced later (f3 2025-06-01, f4 2025-05-20, f7 2025-03) are left out.
    assert as_of("2024-12-31") == {
        "f1": "announced",
        "f2": "announced",
        "f5": "announced",
        "f6": "unverified",
        "f8": "closed",
        "f9": "announced",
        "f10": "cancelled",
    }
    assert as_of("2024-05-31")["f8"] == "announced"
    assert as_of("2025-06-30")["f7"] == "announced" and as_of("2025-09-01")["f7"] == "walked_back"
    assert as_of("2023-01-31") == {}


def test_a_metric_as_of_a_past_day(pipeline):
    def spend_back(query_from):
        return pipeline.query(
            f"select sum(amount_usd), list(flow_id order by flow_id) from {query_from} "
            "where scenario = 'headline' and flow_class = 'spend_back'"
        )[0]

    # 2025-06-30: f3 $40B (f4 superseded by it), f5 undisclosed, f7 $6B, f8 $3B. Now f7 is walked back.
    assert spend_back("scenario_flows_as_of(date '2025-06-30')") == (49 * B, ["f3", "f5", "f7", "f8"])
    assert spend_back("scenario_flows") == (43 * B, ["f3", "f5", "f8"])


def test_scenarios_leave_out_unverified_and_unconfirmed_flows(pipeline):
    rows = dict(pipeline.query("select scenario, list(flow_id order by flow_id) from scenario_flows group by 1"))
    assert rows == {
        "headline": ["f1", "f2", "f3", "f5", "f8", "f9"],  # not f4, f6, f7, f10
        "firm": ["f1", "f3", "f5", "f8", "f9"],
    }  # f2 is an option


def test_data_quality_by_hand(pipeline):
    rows = pipeline.query(
        "select measure, source_tier, flows, headline_flows, headline_usd, share_of_headline_usd, "
        "target_share, meets_target, flow_ids from data_quality order by measure, source_tier"
    )
    # Headline dollars: f1 10 + f2 20 + f3 40 + f8 3 + f9 7 = 80 (f5 undisclosed).
    assert rows == [
        ("flows_by_source_tier", "company", 4, 3, 23 * B, 23 / 80, None, None, ["f10", "f2", "f5", "f8"]),
        ("flows_by_source_tier", "filing", 1, 1, 10 * B, 10 / 80, None, None, ["f1"]),
        ("flows_by_source_tier", "major_outlet", 2, 1, 40 * B, 40 / 80, None, None, ["f3", "f7"]),
        ("flows_by_source_tier", "other", 3, 1, 7 * B, 7 / 80, None, None, ["f4", "f6", "f9"]),
        ("not_reverified", None, 1, 1, 40 * B, 40 / 80, None, None, ["f3"]),
        ("on_primary_document", None, 4, 4, 33 * B, 33 / 80, 0.8, False, ["f1", "f2", "f5", "f8"]),
        ("unverified", None, 1, 0, 0 * B, 0.0, None, None, ["f6"]),
    ]


def test_bad_events_are_quarantined_with_their_reason(pipeline):
    rows = pipeline.query(
        "select source_line, check_name, column_name from quarantine "
        "where source_table = 'raw_deal_events' order by source_line"
    )
    assert rows == [
        (7, "unknown_flow", "flow_id"),
        (8, "unknown_event", "event"),
        (9, "future_date", "event_on"),
        (10, "bad_date", "event_on"),
    ]
    assert pipeline.query("select count(*) from deal_events") == [(5,)]


def test_the_report_shows_how_well_figures_are_sourced(pipeline):
    page = (pipeline.snapshot.parent / "report.html").read_text()
    assert 'id="data-quality-table"' in page and "41.2% (target 80%: NOT met)" in page


def test_deal_events_go_with_the_bundled_deals_unless_set():
    from pipelines.resources import DATA_DIR, build_resources

    def events(env):
        return build_resources(env)["settings"].deal_events_location

    assert events({}) == str(DATA_DIR / "deal_events.csv")
    assert events({"AIINFRA_DEALS_SOURCE": "/elsewhere/deals.csv"}) == ""  # other flow ids
    assert events({"AIINFRA_DEAL_EVENTS_SOURCE": "none"}) == ""
    assert (
        events(
            {
                "AIINFRA_DEALS_SOURCE": "/elsewhere/deals.csv",
                "AIINFRA_DEAL_EVENTS_SOURCE": "https://example.org/events.csv",
            }
        )
        == "https://example.org/events.csv"
    )
