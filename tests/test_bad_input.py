"""Bad input is visible, never silently lost, and never takes down the last published snapshot."""

import csv
import shutil

import pytest
from conftest import SMALL, Pipeline, failed_steps, published_fingerprint

GOOD = list(csv.DictReader((SMALL / "deals.csv").open()))
FIELDS = list(GOOD[0])


def good_row(flow_id: str, **changes) -> dict:
    """A valid flow like f6 (chipco -> alpha, $5B), under a new flow_id, with `changes` applied."""
    return {**GOOD[5], "flow_id": flow_id, "superseded_by": "", **changes}


# (flow_id, changes, the check that must reject it, the column it names)
DEFECTS = [
    ("b-unknown-company", {"to_company": "Globex"}, "unknown_company", "to_company"),
    ("b-missing-company", {"from_company": ""}, "not_nullable", "from_company"),
    ("b-self-flow", {"from_company": "Alpha", "to_company": "Alpha Labs"}, "self_flow", "from_company,to_company"),
    ("b-negative", {"amount_usd": "-5000000000"}, "negative", "amount_usd"),
    ("b-absurd", {"amount_usd": "3000000000000"}, "absurd_amount", "amount_usd"),
    ("b-words", {"amount_usd": "5 billion"}, "not_a_number", "amount_usd"),
    ("b-bad-date", {"announced_on": "2025-13-45"}, "bad_date", "announced_on"),
    ("b-prose-date", {"announced_on": "last spring"}, "bad_date", "announced_on"),
    ("b-future", {"announced_on": "2999-01-01"}, "future_date", "announced_on"),
    ("b-flow-type", {"flow_type": "gift"}, "unknown_flow_type", "flow_type"),
    ("b-status", {"status": "rumoured"}, "unknown_status", "status"),
    ("f6", {}, "field_uniqueness", "flow_id"),  # duplicate of the good f6
    ("b-successor", {"status": "superseded", "superseded_by": "no-such-flow"}, "successor_missing", "superseded_by"),
    ("b-no-successor", {"status": "superseded"}, "superseded_without_successor", "status,superseded_by"),
    ("b-self-successor", {"status": "superseded", "superseded_by": "b-self-successor"},
     "successor_is_self", "flow_id,superseded_by"),
    ("b-no-url", {"source_url": ""}, "not_nullable", "source_url"),
    ("b-ftp-url", {"source_url": "ftp://example.org/deal"}, "bad_url", "source_url"),
    ("b-per-year", {"amount_basis": "per_year", "term_years": ""}, "per_year_without_term", "amount_basis,term_years"),
    ("b-zero-term", {"term_years": "0"}, "not_positive", "term_years"),
    ("b-firm", {"is_firm": "yes"}, "not_boolean", "is_firm"),
    ("b-basis", {"amount_basis": "monthly"}, "unknown_amount_basis", "amount_basis"),
    ("b-primary-url", {"primary_source_url": "see the 8-K"}, "bad_url", "primary_source_url"),
    ("b-tier", {"source_tier": "blog"}, "unknown_source_tier", "source_tier"),
    ("b-no-tier", {"source_tier": ""}, "not_nullable", "source_tier"),
    ("b-corroboration", {"corroborating_urls": "https://example.org/a, https://example.org/b"},
     "bad_url_list", "corroborating_urls"),
    ("b-bounds", {"amount_low_usd": "6000000000"}, "amounts_out_of_order",
     "amount_low_usd,amount_usd,amount_high_usd"),  # "more than $6B" for a $5B flow
    ("b-verified-later", {"last_verified_on": "2999-01-01"}, "future_date", "last_verified_on"),
    ("b-never-verified", {"last_verified_on": ""}, "not_nullable", "last_verified_on"),
    # valid in itself, but its successor is rejected above: it would point at nothing
    ("b-orphan", {"status": "superseded", "superseded_by": "b-negative"}, "successor_missing", "superseded_by"),
]
# Enough extra good rows that the rejected share stays under the blocking limit of one half.
EXTRA_GOOD = [good_row(f"g{i}", amount_usd=str(i * 10**9)) for i in range(1, 23)]


def write_deals(path, rows):
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def bad_input_run(tmp_path):
    rows = GOOD + EXTRA_GOOD + [good_row(flow_id, **changes) for flow_id, changes, _, _ in DEFECTS]
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=SMALL, price_sources=[],
                        deals_source=str(write_deals(tmp_path / "deals.csv", rows)))
    result = pipeline.run()
    return pipeline, result, rows


def test_every_bad_row_is_quarantined_with_its_reason(bad_input_run):
    pipeline, result, rows = bad_input_run
    assert result.success
    quarantined = pipeline.query(
        "select source_line, check_name, column_name, reason, record->>'flow_id' from quarantine "
        "where source_table = 'raw_deals'")
    first_bad_line = 2 + len(GOOD) + len(EXTRA_GOOD)
    for offset, (flow_id, _, check, column) in enumerate(DEFECTS):
        line = first_bad_line + offset
        hits = [q for q in quarantined if q[0] == line]
        assert (line, check, column) in [(q[0], q[1], q[2]) for q in hits], (flow_id, hits)
        assert all(q[4] == flow_id and q[3] for q in hits)  # the whole record is kept, with a reason
    assert {q[0] for q in quarantined} == set(range(first_bad_line, first_bad_line + len(DEFECTS)))


def test_reasons_read_as_sentences(bad_input_run):
    pipeline, _, _ = bad_input_run
    reasons = dict(pipeline.query("select check_name, reason from quarantine where source_table = 'raw_deals' "
                                  "and column_name <> 'last_verified_on'"))
    assert reasons["unknown_company"] == "to_company 'Globex' is not a known company name or alias (data/companies.csv)"
    assert reasons["future_date"] == "announced_on '2999-01-01' is in the future"
    assert reasons["per_year_without_term"].startswith("amount_basis is 'per_year' but term_years is empty")
    assert reasons["amounts_out_of_order"] == ("amount_low_usd <= amount_usd <= amount_high_usd does not hold "
                                               "(6000000000, 5000000000, )")


def test_good_rows_are_all_published_and_nothing_is_lost(bad_input_run):
    pipeline, _, rows = bad_input_run
    published = {r[0] for r in pipeline.query("select flow_id from deal_flows")}
    assert published == {r["flow_id"] for r in GOOD + EXTRA_GOOD}
    [(quarantined,)] = pipeline.query(
        "select count(distinct source_line) from quarantine where source_table = 'raw_deals'")
    assert len(rows) == len(published) + quarantined


def test_unreadable_source_fails_its_step_and_keeps_the_last_snapshot(tmp_path):
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=SMALL, price_sources=[])
    assert pipeline.run().success
    before = published_fingerprint(pipeline.snapshot.parent)

    pipeline.deals_source = str(tmp_path / "missing.csv")
    result = pipeline.run()
    assert not result.success
    assert failed_steps(result) == ["raw_deals"]
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "Cannot read source" in str(failure.event_specific_data.error) and "missing.csv" in str(
        failure.event_specific_data.error)

    no_column = tmp_path / "no_amount.csv"
    with no_column.open("w") as f:
        f.write((SMALL / "deals.csv").read_text().replace("amount_usd,", "amount,", 1))
    pipeline.deals_source = str(no_column)
    result = pipeline.run()
    assert failed_steps(result) == ["raw_deals"]
    assert "lacks required column(s) amount_usd" in str(
        [e for e in result.all_events if e.is_step_failure][0].event_specific_data.error)

    assert published_fingerprint(pipeline.snapshot.parent) == before


def test_mostly_rejected_source_stops_the_run_before_publish(tmp_path):
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=SMALL, price_sources=[])
    assert pipeline.run().success
    before = published_fingerprint(pipeline.snapshot.parent)

    rows = GOOD[:3] + [good_row(f"bad{i}", amount_usd="-1") for i in range(4)]
    pipeline.deals_source = str(write_deals(tmp_path / "mostly_bad.csv", rows))
    result = pipeline.run()
    assert not result.success
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == "mostly_accepted"
               and c.asset_key.to_user_string() == "clean_deals"]
    assert not check.passed and check.metadata["rows_rejected"].value == 4
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "published_snapshot" not in materialized and "deal_flows" not in materialized
    assert published_fingerprint(pipeline.snapshot.parent) == before


def test_a_rejected_company_alias_clash_is_quarantined(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    with (data / "companies.csv").open("a") as f:
        f.write("neo2,Neo Two,neocloud,false,Neo\n")  # 'Neo' already belongs to neo
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=data, price_sources=[])
    assert pipeline.run().success
    assert pipeline.query("select row_ref, check_name from quarantine") == [("line 7: neo2", "alias_taken")]


def test_deals_source_can_be_an_http_url(tmp_path, httpserver):
    httpserver.expect_ordered_request("/deals.csv").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/deals.csv").respond_with_data((SMALL / "deals.csv").read_text())
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=SMALL, price_sources=[],
                        deals_source=httpserver.url_for("/deals.csv"))
    assert pipeline.run().success
    assert pipeline.query("select count(*) from deal_flows") == [(len(GOOD),)]

    httpserver.expect_request("/gone.csv").respond_with_data("no", status=404)
    pipeline.deals_source = httpserver.url_for("/gone.csv")
    result = pipeline.run()
    assert failed_steps(result) == ["raw_deals"]
    assert "gone.csv: HTTP 404" in str([e for e in result.all_events if e.is_step_failure][0].event_specific_data.error)
