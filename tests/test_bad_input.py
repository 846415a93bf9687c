"""Bad input is visible, never silently lost, and never takes down the last published snapshot."""

import csv
import shutil

import dagster as dg
import duckdb
import pytest
from conftest import FIXTURES, SMALL, TODAY, Pipeline, failed_steps, published_fingerprint

from pipelines.resources import DATA_DIR

BAD = FIXTURES / "bad_input"

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
    (
        "b-self-successor",
        {"status": "superseded", "superseded_by": "b-self-successor"},
        "successor_is_self",
        "flow_id,superseded_by",
    ),
    ("b-no-url", {"source_url": ""}, "not_nullable", "source_url"),
    ("b-ftp-url", {"source_url": "ftp://example.org/deal"}, "bad_url", "source_url"),
    ("b-per-year", {"amount_basis": "per_year", "term_years": ""}, "per_year_without_term", "amount_basis,term_years"),
    ("b-zero-term", {"term_years": "0"}, "term_out_of_range", "term_years"),
    # used to abort the run: $5B x 1e300 overflowed the DECIMAL amount in deal_flow_terms
    ("b-endless-term", {"amount_basis": "per_year", "term_years": "1e300"}, "term_out_of_range", "term_years"),
    (
        "b-per-year-total",
        {"amount_basis": "per_year", "amount_usd": "500000000000", "term_years": "5"},
        "absurd_total",
        "amount_usd,amount_low_usd,amount_high_usd,term_years",
    ),  # $2.5T in total
    ("b-firm", {"is_firm": "yes"}, "not_boolean", "is_firm"),
    ("b-basis", {"amount_basis": "monthly"}, "unknown_amount_basis", "amount_basis"),
    ("b-primary-url", {"primary_source_url": "see the 8-K"}, "bad_url", "primary_source_url"),
    ("b-tier", {"source_tier": "blog"}, "unknown_source_tier", "source_tier"),
    ("b-no-tier", {"source_tier": ""}, "not_nullable", "source_tier"),
    (
        "b-corroboration",
        {"corroborating_urls": "https://example.org/a, https://example.org/b"},
        "bad_url_list",
        "corroborating_urls",
    ),
    (
        "b-bounds",
        {"amount_low_usd": "6000000000"},
        "amounts_out_of_order",
        "amount_low_usd,amount_usd,amount_high_usd",
    ),  # "more than $6B" for a $5B flow
    ("b-verified-later", {"last_verified_on": "2999-01-01"}, "future_date", "last_verified_on"),
    ("b-never-verified", {"last_verified_on": ""}, "not_nullable", "last_verified_on"),
    # valid in itself, but its successor is rejected above: it would point at nothing
    ("b-orphan", {"status": "superseded", "superseded_by": "b-negative"}, "successor_missing", "superseded_by"),
]
# Enough extra good rows that the rejected share stays under the blocking limit of one half.
EXTRA_GOOD = [good_row(f"g{i}", amount_usd=str(i * 10**9)) for i in range(1, 25)]


def write_deals(path, rows):
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def bad_input_run(tmp_path):
    rows = GOOD + EXTRA_GOOD + [good_row(flow_id, **changes) for flow_id, changes, _, _ in DEFECTS]
    pipeline = Pipeline(
        tmp_path / "warehouse",
        data_dir=SMALL,
        price_sources=[],
        deals_source=str(write_deals(tmp_path / "deals.csv", rows)),
    )
    result = pipeline.run()
    return pipeline, result, rows


def test_every_bad_row_is_quarantined_with_its_reason(bad_input_run):
    pipeline, result, rows = bad_input_run
    assert result.success
    quarantined = pipeline.query(
        "select source_line, check_name, column_name, reason, record->>'flow_id' from quarantine "
        "where source_table = 'raw_deals'"
    )
    first_bad_line = 2 + len(GOOD) + len(EXTRA_GOOD)
    for offset, (flow_id, _, check, column) in enumerate(DEFECTS):
        line = first_bad_line + offset
        hits = [q for q in quarantined if q[0] == line]
        assert (line, check, column) in [(q[0], q[1], q[2]) for q in hits], (flow_id, hits)
        assert all(q[4] == flow_id and q[3] for q in hits)  # the whole record is kept, with a reason
    assert {q[0] for q in quarantined} == set(range(first_bad_line, first_bad_line + len(DEFECTS)))


def test_reasons_read_as_sentences(bad_input_run):
    pipeline, _, _ = bad_input_run
    reasons = dict(
        pipeline.query(
            "select check_name, reason from quarantine where source_table = 'raw_deals' "
            "and column_name <> 'last_verified_on'"
        )
    )
    assert reasons["unknown_company"] == "to_company 'Globex' is not a known company name or alias (data/companies.csv)"
    assert reasons["future_date"] == "announced_on '2999-01-01' is in the future"
    assert reasons["per_year_without_term"].startswith("amount_basis is 'per_year' but term_years is empty")
    assert reasons["amounts_out_of_order"] == (
        "amount_low_usd <= amount_usd <= amount_high_usd does not hold (6000000000, 5000000000, )"
    )

    def reasons_of(flow_id):
        return pipeline.query(
            "select check_name, reason from quarantine where record->>'flow_id' = ? order by check_name", [flow_id]
        )

    assert reasons_of("b-per-year-total") == [
        (
            "absurd_total",
            "amount_basis is 'per_year' and an amount times term_years (amount_usd, amount_low_usd, "
            "amount_high_usd, term_years: 500000000000, , , 5) is over $2 trillion, the cap on a total "
            "amount: likely a typo or wrong unit",
        )
    ]
    assert reasons_of("b-endless-term") == [
        (
            "absurd_total",
            "amount_basis is 'per_year' and an amount times term_years (amount_usd, amount_low_usd, "
            "amount_high_usd, term_years: 5000000000, , , 1e300) is over $2 trillion, the cap on a total "
            "amount: likely a typo or wrong unit",
        ),
        ("term_out_of_range", "term_years '1e300' is out of range: it must be more than 0 and at most 100 years"),
    ]


def test_good_rows_are_all_published_and_nothing_is_lost(bad_input_run):
    pipeline, _, rows = bad_input_run
    published = {r[0] for r in pipeline.query("select flow_id from deal_flows")}
    assert published == {r["flow_id"] for r in GOOD + EXTRA_GOOD}
    [(quarantined,)] = pipeline.query(
        "select count(distinct source_line) from quarantine where source_table = 'raw_deals'"
    )
    assert len(rows) == len(published) + quarantined


def test_unreadable_source_fails_its_step_and_keeps_the_last_snapshot(tmp_path):
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=SMALL, price_sources=[])
    assert pipeline.run().success
    before = published_fingerprint(pipeline.snapshot.parent)

    pipeline.deals_source = str(tmp_path / "missing.csv")
    result = pipeline.run()
    assert not result.success
    assert failed_steps(result) == ["raw_sources"]
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "Cannot read source" in str(failure.event_specific_data.error) and "missing.csv" in str(
        failure.event_specific_data.error
    )

    no_column = tmp_path / "no_amount.csv"
    with no_column.open("w") as f:
        f.write((SMALL / "deals.csv").read_text().replace("amount_usd,", "amount,", 1))
    pipeline.deals_source = str(no_column)
    result = pipeline.run()
    assert failed_steps(result) == ["raw_sources"]
    assert "lacks required column(s) amount_usd" in str(
        [e for e in result.all_events if e.is_step_failure][0].event_specific_data.error
    )

    assert published_fingerprint(pipeline.snapshot.parent) == before


def test_mostly_rejected_source_stops_the_run_before_publish(tmp_path):
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=SMALL, price_sources=[])
    assert pipeline.run().success
    before = published_fingerprint(pipeline.snapshot.parent)

    rows = GOOD[:3] + [good_row(f"bad{i}", amount_usd="-1") for i in range(4)]
    pipeline.deals_source = str(write_deals(tmp_path / "mostly_bad.csv", rows))
    result = pipeline.run()
    assert not result.success
    [check] = [
        c
        for c in result.get_asset_check_evaluations()
        if c.check_name == "mostly_accepted" and c.asset_key.to_user_string() == "clean_deals"
    ]
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
    pipeline = Pipeline(
        tmp_path / "warehouse", data_dir=SMALL, price_sources=[], deals_source=httpserver.url_for("/deals.csv")
    )
    assert pipeline.run().success
    assert pipeline.query("select count(*) from deal_flows") == [(len(GOOD),)]

    httpserver.expect_request("/gone.csv").respond_with_data("no", status=404)
    pipeline.deals_source = httpserver.url_for("/gone.csv")
    result = pipeline.run()
    assert failed_steps(result) == ["raw_sources"]
    assert "gone.csv: HTTP 404" in str([e for e in result.all_events if e.is_step_failure][0].event_specific_data.error)


def step_failure(result: dg.ExecuteInProcessResult) -> str:
    [failure] = [e for e in result.all_events if e.is_step_failure]
    return str(failure.event_specific_data.error)


def test_a_header_only_source_fails_unless_allowed_empty(tmp_path):
    header_only = BAD / "deals_header_only.csv"
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=SMALL, price_sources=[], deals_source=str(header_only))
    result = pipeline.run()
    assert failed_steps(result) == ["raw_sources"]
    assert (
        f"Source deals has no rows (read from {header_only}); a source with no rows is taken as broken. "
        "If deals may be empty, list it in AIINFRA_ALLOW_EMPTY_SOURCES."
    ) in step_failure(result)

    pipeline.settings_overrides = {"allow_empty_sources": ["deals"]}  # AIINFRA_ALLOW_EMPTY_SOURCES=deals
    assert pipeline.run().success
    with duckdb.connect(str(pipeline.settings.warehouse_db), read_only=True) as conn:
        assert conn.execute("select count(*) from raw_deals").fetchone() == (0,)
    assert pipeline.query("select count(*) from deal_flows") == [(0,)]

    # Validation alone refuses the empty table too, once deals is no longer allowed to be empty.
    pipeline.settings_overrides = {}
    with dg.instance_for_test() as instance:
        result = (
            pipeline.defs()
            .resolve_job_def("daily_job")
            .execute_in_process(
                instance=instance,
                raise_on_error=False,
                partition_key=TODAY,
                asset_selection=[dg.AssetKey("clean_deals"), dg.AssetKey("quarantined_deals")],
            )
        )
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == "mostly_accepted"]
    assert not check.passed
    assert check.description == (
        "raw_deals has no rows; if that is expected, list its source in AIINFRA_ALLOW_EMPTY_SOURCES."
    )


def test_a_price_source_with_no_observations_fails_unless_allowed_empty(tmp_path, httpserver):
    httpserver.expect_request("/catalogs/v8/lambda/vms.csv").respond_with_data(
        (BAD / "skypilot_vms_header_only.csv").read_text()
    )
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    shutil.copy(DATA_DIR / "accelerators.csv", data)
    pipeline = Pipeline(
        tmp_path / "warehouse",
        data_dir=data,
        price_sources=["skypilot"],
        settings_overrides={"skypilot_url": httpserver.url_for("/catalogs"), "skypilot_clouds": ["lambda"]},
    )
    result = pipeline.run("2026-11-20")
    assert failed_steps(result) == ["skypilot_prices"]
    assert (
        "Source skypilot has no rows (fetched for 2026-11-20); a source with no rows is taken as broken. "
        "If skypilot may be empty, list it in AIINFRA_ALLOW_EMPTY_SOURCES."
    ) in step_failure(result)

    pipeline.settings_overrides["allow_empty_sources"] = ["skypilot"]
    assert pipeline.run("2026-11-20").success


def test_a_column_named_source_line_is_refused_as_reserved(tmp_path):
    pipeline = Pipeline(
        tmp_path / "warehouse",
        data_dir=SMALL,
        price_sources=[],
        deals_source=str(BAD / "deals_with_source_line_column.csv"),
    )
    result = pipeline.run()
    assert failed_steps(result) == ["raw_sources"]
    assert (
        "has a column named source_line, a name the pipeline reserves for each row's line number in the "
        "file; rename or drop that column"
    ) in step_failure(result)


def test_quarantine_names_the_line_a_record_starts_on_after_multi_line_fields(tmp_path):
    # f2's note spans lines 3-5, so b1 starts on line 6 and b2 (a two-line note of its own) on line 7.
    pipeline = Pipeline(
        tmp_path / "warehouse", data_dir=SMALL, price_sources=[], deals_source=str(BAD / "deals_multiline_notes.csv")
    )
    assert pipeline.run().success
    assert pipeline.query("select row_ref, source_line, check_name from quarantine order by source_line") == [
        ("line 6: b1", 6, "unknown_company"),
        ("line 7: b2", 7, "negative"),
    ]
    assert pipeline.query("select note from deal_flows where flow_id = 'f2'") == [
        ("non-firm option:\nup to $20B more,\nat Alpha's call",)
    ]


def test_prices_too_small_to_be_real_and_impossible_chip_counts_are_quarantined(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    shutil.copy(BAD / "chip_prices_implausible.csv", data / "chip_prices.csv")
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=data, price_sources=[])
    assert pipeline.run().success
    assert pipeline.query("select row_ref, check_name, reason from quarantine order by source_line") == [
        (
            "line 6: p5.48xlarge",
            "price_too_low",
            "usd_per_instance_hour '1e-30' is under $0.0001 per hour: too small to be a real price "
            "(likely a typo or wrong unit)",
        ),
        ("line 7: p5.48xlarge", "not_positive", "usd_per_chip_hour '1e-400' must be greater than zero"),
        ("line 8: p5.48xlarge", "bad_chip_count", "chips_per_instance '1e300' is not a whole number from 1 to 100,000"),
    ]
    assert pipeline.query("select min(usd_per_chip_hour), count(*) from chip_prices") == [(4.2, 4)]
