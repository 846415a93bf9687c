"""Reported financials: SEC XBRL facts fetched from a local server in the companyconcept format, fairly
(a contact in every request, never more than 10 a second), and the latest filing of a period winning.

The payloads are synthetic (invented figures for invented companies), in the real answer's shape:
`{cik, taxonomy, tag, label, description, entityName, units: {USD: [{start, end, val, accn, fy, fp, form,
filed, frame}]}}`."""

import csv
import json
import os
import shutil
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, SMALL, Pipeline, failed_steps, published_fingerprint
from werkzeug import Request, Response

from pipelines import accept
from pipelines.filings import sec, snapshot
from pipelines.filings.cache import DocumentCache
from pipelines.prices.http import HttpClient
from pipelines.prices.observations import SourceError

CONTACT = "Test Operator ops@example.org"
BIGCLOUD_CIK = "0000000042"  # a cik for the fixture company bigcloud, for these tests


def concept(cik: str, tag: str, facts: list[dict]) -> dict:
    return {
        "cik": int(cik),
        "taxonomy": "us-gaap",
        "tag": tag,
        "label": tag,
        "description": f"The {tag} of a synthetic company.",
        "entityName": "BIGCLOUD INC (SYNTHETIC)",
        "units": {"USD": facts},
    }


def fact(end: str, val: int, accn: str, filed: str, form: str = "10-Q", start: str | None = None, **more) -> dict:
    return {**({"start": start} if start else {}), "end": end, "val": val, "accn": accn, "fy": 2026, "fp": "Q1",
            "form": form, "filed": filed, **more}  # fmt: skip


RPO = [
    fact("2025-08-31", 455_000_000_000, "0000000042-25-000101", "2025-09-10", frame="CY2025Q3I"),
    fact("2025-11-30", 523_000_000_000, "0000000042-25-000150", "2025-12-11", frame="CY2025Q4I"),
    # the next 10-Q restates the earlier quarter's figure
    fact("2025-08-31", 450_000_000_000, "0000000042-25-000150", "2025-12-11"),
    fact("2025-11-30", 1, "0000000042-25-000160", "2025-12-12", form="8-K"),  # not a periodic report
]
CAPEX = [fact("2025-11-30", 12_000_000_000, "0000000042-25-000150", "2025-12-11", start="2025-06-01")]
REVENUE = [
    fact("2025-11-30", 16_000_000_000, "0000000042-25-000150", "2025-12-11", start="2025-09-01"),
    fact("2025-08-31", 15_000_000_000, "42-25-150", "2025-12-11", start="2025-06-01"),  # no SEC accession number
    fact("2025-11-30", 1_000_000_000, "0000000042-25-000150", "2025-12-11", start="2025-12-01"),  # ends first
]
ANSWERS = {  # tag -> facts; the tags missing here answer 404, as SEC does for a tag a company never used
    "RevenueRemainingPerformanceObligation": RPO,
    "PaymentsToAcquirePropertyPlantAndEquipment": CAPEX,
    "Revenues": REVENUE,
}


class SecServer:
    """Answers companyconcept requests for the ciks given; records when each request arrived and its
    User-Agent; optionally answers 429 (with Retry-After: 0) to the first try of every URL."""

    def __init__(self, httpserver, ciks: list[str], throttle_first: bool = False, answers: dict = ANSWERS):
        self.requests: list[tuple[float, str, str]] = []
        self.answers = answers
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self.throttle_first = throttle_first
        for cik in ciks:
            # no filings in its submissions (the filings tests below serve their own, registered first)
            httpserver.expect_request(f"/submissions/CIK{cik}.json").respond_with_handler(self._no_filings(cik))
            for tags in sec.CONCEPTS.values():
                for tag in tags:
                    path = f"/api/xbrl/companyconcept/CIK{cik}/us-gaap/{tag}.json"
                    httpserver.expect_request(path).respond_with_handler(self._answer(cik, tag))
        self.url = httpserver.url_for("/").rstrip("/")

    def _no_filings(self, cik: str):
        def answer(request: Request) -> Response:
            with self._lock:
                self.requests.append((time.monotonic(), request.path, request.headers.get("User-Agent", "")))
            return Response(json.dumps(submissions(cik, [])), content_type="application/json")

        return answer

    def _answer(self, cik: str, tag: str):
        def answer(request: Request) -> Response:
            with self._lock:
                self.requests.append((time.monotonic(), request.path, request.headers.get("User-Agent", "")))
                first = request.path not in self._seen
                self._seen.add(request.path)
            if self.throttle_first and first:
                return Response("slow down", status=429, headers={"Retry-After": "0"})
            if tag not in self.answers:
                return Response("Not Found", status=404)
            return Response(json.dumps(concept(cik, tag, self.answers[tag])), content_type="application/json")

        return answer


def data_with_ciks(tmp_path: Path, ciks: dict[str, str]) -> Path:
    """The small fixture data, with SEC ciks for some of its companies."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    with (data / "companies.csv").open() as f:
        rows = list(csv.DictReader(f))
    with (data / "companies.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "cik": ciks.get(row["company_id"], "")} for row in rows)
    return data


def sec_pipeline(tmp_path: Path, server: SecServer, contact: str = CONTACT) -> Pipeline:
    return Pipeline(
        tmp_path / "warehouse",
        data_dir=data_with_ciks(tmp_path, {"bigcloud": BIGCLOUD_CIK}),
        price_sources=[],
        filing_sources=["sec"],
        settings_overrides={"sec_data_url": server.url, "sec_contact": contact},
    )


def test_the_latest_filing_of_a_period_is_the_reported_figure(tmp_path, httpserver):
    server = SecServer(httpserver, [BIGCLOUD_CIK])
    pipeline = sec_pipeline(tmp_path, server)
    result = pipeline.run()
    assert result.success
    rows = pipeline.query(
        "select concept, tag, period_start::varchar, period_end::varchar, value_usd, form, filed_on::varchar, "
        "accession, restated from reported_financials where company_id = 'bigcloud' order by all"
    )
    assert rows == [
        ("capex", "PaymentsToAcquirePropertyPlantAndEquipment", "2025-06-01", "2025-11-30", 12e9, "10-Q",
         "2025-12-11", "0000000042-25-000150", False),
        ("revenue", "Revenues", "2025-09-01", "2025-11-30", 16e9, "10-Q", "2025-12-11", "0000000042-25-000150", False),
        # restated by the later 10-Q: 450, not 455
        ("rpo", "RevenueRemainingPerformanceObligation", None, "2025-08-31", 450e9, "10-Q", "2025-12-11",
         "0000000042-25-000150", True),
        # the 8-K's figure (1) is not a periodic report's and is left out
        ("rpo", "RevenueRemainingPerformanceObligation", None, "2025-11-30", 523e9, "10-Q", "2025-12-11",
         "0000000042-25-000150", False),
    ]  # fmt: skip
    assert pipeline.query("select row_ref, check_name from quarantine where source_table = 'sec_company_facts'") == [
        ("line 6: 42-25-150", "bad_accession"),  # the sixth fact read: 3 RPO (no 8-K), 1 capex, 2 revenue
        ("line 7: 0000000042-25-000150", "period_out_of_order"),
    ]
    [url] = {u for (u,) in pipeline.query("select distinct source_url from reported_financials where concept = 'rpo'")}
    assert (
        url
        == f"{server.url}/api/xbrl/companyconcept/CIK{BIGCLOUD_CIK}/us-gaap/RevenueRemainingPerformanceObligation.json"
    )
    # two tags never used (404) are skipped and counted, not failures
    [materialization] = [m for m in result.asset_materializations_for_node("sec_company_facts")]
    assert "- RevenueFromContractWithCustomerExcludingAssessedTax not reported: 1" in (
        materialization.metadata["left_out"].value
    )


def test_every_sec_request_names_the_contact_and_never_more_than_ten_in_a_second(httpserver):
    ciks = [f"{n:010d}" for n in range(101, 105)]  # 4 companies x 5 tags, each first tried once more
    server = SecServer(httpserver, ciks, throttle_first=True)
    rows, skipped = sec.fetch_company_facts(
        HttpClient(backoff_factor=0, retries=2), server.url, CONTACT, [(f"co{c}", c) for c in ciks]
    )
    assert len(rows) == 4 * (len(RPO) - 1 + len(CAPEX) + len(REVENUE)) and skipped.total() == 4 * 2
    times = sorted(t for t, _, _ in server.requests)
    assert len(times) == 40  # every URL twice: the 429, then its retry
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 10
    assert {agent for _, _, agent in server.requests} == {f"ai-infra-deals/0.1 {CONTACT}"}


def test_a_run_without_the_contact_fails_before_any_sec_request_and_publishes_nothing(tmp_path, httpserver):
    server = SecServer(httpserver, [BIGCLOUD_CIK])
    pipeline = sec_pipeline(tmp_path, server)
    assert pipeline.run().success
    before = published_fingerprint(pipeline.settings.published_dir)
    server.requests.clear()

    pipeline.settings_overrides["sec_contact"] = ""
    result = pipeline.run()
    assert not result.success and sorted(failed_steps(result)) == ["sec_company_facts", "sec_filings"]
    for failure in [e for e in result.all_events if e.is_step_failure]:
        assert "AIINFRA_SEC_CONTACT is not set" in str(failure.event_specific_data.error)
    assert server.requests == []
    assert published_fingerprint(pipeline.settings.published_dir) == before


def test_a_403_that_persists_ends_in_an_error_naming_it(httpserver):
    httpserver.expect_request(
        "/api/xbrl/companyconcept/CIK0000000007/us-gaap/RevenueRemainingPerformanceObligation.json"
    ).respond_with_data("Your request has been identified as part of a network of automated tools", status=403)
    with pytest.raises(SourceError, match=r"HTTP 403 FORBIDDEN after 2 retries"):
        sec.fetch_company_facts(
            HttpClient(backoff_factor=0, retries=2), httpserver.url_for("/").rstrip("/"), CONTACT, [("x", "7")]
        )


def test_backlog_coverage_counts_the_commitments_standing_on_each_reported_day(tmp_path, httpserver):
    """bigcloud's RPO on three days against the small fixture's flows to it, worked out by hand:
    f5 (alpha -> bigcloud, undisclosed, 2024-01-10) stands from 2024 on; f4 (25B, 2025-05-20) is superseded
    from its announcement; f3 (4B a year for 10 years = 40B, 2025-06-01) stands from then on. bigcloud put
    capital into alpha: f1 (10B, firm) and f2 (20B, an option) in 2024."""
    rpo = [
        fact("2023-12-31", 80_000_000_000, "0000000042-24-000010", "2024-02-01", form="10-K"),
        fact("2025-05-31", 100_000_000_000, "0000000042-25-000090", "2025-06-10"),
        fact("2025-08-31", 200_000_000_000, "0000000042-25-000101", "2025-09-10"),
    ]
    server = SecServer(httpserver, [BIGCLOUD_CIK], answers={"RevenueRemainingPerformanceObligation": rpo})
    pipeline = sec_pipeline(tmp_path, server)
    assert pipeline.run().success
    rows = pipeline.query(
        "select scenario, period_end::varchar, rpo_usd, committed_usd, committed_share, self_financed_usd, "
        "undisclosed_flows, flow_ids from backlog_coverage where vendor = 'bigcloud' order by all"
    )
    assert rows == [
        ("firm", "2023-12-31", 80e9, 0.0, 0.0, 0.0, 0, []),  # no flow yet
        ("firm", "2025-05-31", 100e9, 0.0, 0.0, 0.0, 1, ["f1", "f5"]),  # f5 stands, undisclosed
        ("firm", "2025-08-31", 200e9, 40e9, 0.2, 10e9, 1, ["f1", "f3", "f5"]),  # least(10B of f1, 40B of f3)
        ("headline", "2023-12-31", 80e9, 0.0, 0.0, 0.0, 0, []),
        ("headline", "2025-05-31", 100e9, 0.0, 0.0, 0.0, 1, ["f1", "f2", "f5"]),
        ("headline", "2025-08-31", 200e9, 40e9, 0.2, 30e9, 1, ["f1", "f2", "f3", "f5"]),  # least(30B, 40B)
    ]


# --- filings: the submissions API and the filing documents -------------------------------------------------

RECENT_FIELDS = ["accessionNumber", "filingDate", "reportDate", "acceptanceDateTime", "act", "form", "fileNumber",
                 "filmNumber", "items", "core_type", "size", "isXBRL", "isInlineXBRL", "primaryDocument",
                 "primaryDocDescription"]  # fmt: skip
ANNOUNCEMENT = (  # a sentence cut into inline tags and spelled with entities, as EDGAR documents are
    "<html><head><title>8-K</title><style>p {margin: 0}</style></head><body><div><p><span>On November&#160;3, "
    "2025, BigCloud,&#160;Inc. </span><span>(&#8220;BigCloud&#8221;) entered into an agreement with Alpha Labs "
    "under which Alpha will purchase</span> <b>$38&#160;billion</b> of cloud capacity.</p>"
    "<p>BigCloud also agreed to provide 1.2&#160;GW of capacity to Neo Compute over five years.</p>"
    "<p>Revenue for the quarter was $5 billion.</p>"
    "<p>Item&#160;9.01 Financial Statements and Exhibits.</p></div></body></html>"
)


def submissions(cik: str, filings: list[tuple[str, str, str, str]]) -> dict:
    """A submissions answer with `filings.recent` as parallel arrays: (accession, filed on, form, document)."""
    rows = [
        dict(zip(RECENT_FIELDS, [accn, filed, filed, f"{filed}T20:00:00.000Z", "34", form, "001-00042", "1",
                                 "1.01,9.01" if form == "8-K" else "", "XBRL", 1000, 1, 1, doc, form], strict=True))
        for accn, filed, form, doc in filings
    ]  # fmt: skip
    return {
        "cik": cik,
        "entityType": "operating",
        "name": "BIGCLOUD INC (SYNTHETIC)",
        "filings": {"recent": {f: [r[f] for r in rows] for f in RECENT_FIELDS}, "files": []},
    }


def serve_filings(httpserver, endless_document: bool = False) -> list[str]:
    """bigcloud's submissions with an 8-K, a Form 4 and an old 10-Q; the documents; a cik SEC does not know.
    Returns the paths asked for."""
    asked: list[str] = []
    filings = [
        ("0000000042-25-000200", "2025-11-04", "8-K", "bc-20251103.htm"),
        ("0000000042-25-000201", "2025-11-05", "4", "xslF345X05/form4.xml"),  # an insider's trade: not read
        ("0000000042-25-000050", "2025-05-01", "10-Q", "bc-20250331.htm"),  # before AIINFRA_FILINGS_SINCE
    ]

    def record(answer):
        def handler(request: Request) -> Response:
            asked.append(request.path)
            return answer(request)

        return handler

    httpserver.expect_request(f"/submissions/CIK{BIGCLOUD_CIK}.json").respond_with_handler(
        record(lambda r: Response(json.dumps(submissions(BIGCLOUD_CIK, filings)), content_type="application/json"))
    )
    httpserver.expect_request("/submissions/CIK0000000043.json").respond_with_handler(
        record(lambda r: Response("Not Found", status=404))
    )
    folder = "/Archives/edgar/data/42/000000004225000200"
    if endless_document:  # no Content-Length, and it never ends

        def endless():
            yield ANNOUNCEMENT.encode()
            while True:
                yield b"<p>" + b"x" * 8192 + b"</p>"

        httpserver.expect_request(f"{folder}/bc-20251103.htm").respond_with_handler(
            record(lambda r: Response(endless(), content_type="text/html"))
        )
    else:
        httpserver.expect_request(f"{folder}/bc-20251103.htm").respond_with_handler(
            record(lambda r: Response(ANNOUNCEMENT, content_type="text/html"))
        )
    return asked


def filings_pipeline(tmp_path: Path, httpserver, **settings) -> Pipeline:
    return Pipeline(
        tmp_path / "warehouse",
        data_dir=data_with_ciks(tmp_path, {"bigcloud": BIGCLOUD_CIK, "alpha": "0000000043"}),
        price_sources=[],
        filing_sources=["sec"],
        settings_overrides={
            "sec_data_url": httpserver.url_for("/").rstrip("/"),
            "sec_archives_url": httpserver.url_for("/").rstrip("/"),
            "sec_contact": CONTACT,
            "filings_since": "2025-08-01",
            **settings,
        },
    )


def test_filings_since_the_cutoff_are_read_as_sentences(tmp_path, httpserver):
    asked = serve_filings(httpserver)
    SecServer(httpserver, [BIGCLOUD_CIK, "0000000043"])  # the facts of the same run
    pipeline = filings_pipeline(tmp_path, httpserver)
    result = pipeline.run()
    assert result.success
    with duckdb.connect(str(pipeline.settings.warehouse_db), read_only=True) as conn:
        rows = conn.execute(
            "select company_id, accession, form, filed_on, items, document_url, truncated, sentences from sec_filings"
        ).fetchall()
    [(company, accession, form, filed_on, items, url, truncated, sentences)] = rows
    assert (company, accession, form, filed_on, items, truncated) == (
        "bigcloud", "0000000042-25-000200", "8-K", "2025-11-04", "1.01,9.01", "false"
    )  # fmt: skip
    assert url == httpserver.url_for("/Archives/edgar/data/42/000000004225000200/bc-20251103.htm")
    # entities decoded, the sentence whole across its tags, blocks apart, nothing of the <head>
    assert json.loads(sentences) == [
        "On November 3, 2025, BigCloud, Inc. (“BigCloud”) entered into an agreement with Alpha Labs under which "
        "Alpha will purchase $38 billion of cloud capacity.",
        "BigCloud also agreed to provide 1.2 GW of capacity to Neo Compute over five years.",
        "Revenue for the quarter was $5 billion.",
        "Item 9.01 Financial Statements and Exhibits.",
    ]
    # neither the Form 4 nor the 10-Q from before the cut-off was read; alpha's 404 is skipped, with a warning
    assert [p for p in asked if p.startswith("/Archives")] == [
        "/Archives/edgar/data/42/000000004225000200/bc-20251103.htm"
    ]
    assert "/submissions/CIK0000000043.json" in asked
    [materialization] = result.asset_materializations_for_node("sec_filings")
    assert "- no submissions for alpha (cik 0000000043): 1" in materialization.metadata["left_out"].value


def test_a_document_read_before_is_asked_for_conditionally_and_reused_when_unchanged(tmp_path, httpserver):
    """The archives answer with an ETag (as www.sec.gov does): the next scan sends If-None-Match, a 304 reuses
    what was read; a changed document is read again; a document no longer in the window leaves the cache."""
    document = {"etag": "v1", "html": ANNOUNCEMENT}
    statuses: list[int] = []

    def answer(request: Request) -> Response:
        response = Response(document["html"], content_type="text/html")
        response.set_etag(document["etag"])
        response.make_conditional(request)
        statuses.append(response.status_code)
        return response

    folder = "/Archives/edgar/data/42/000000004225000200"
    httpserver.expect_request(f"{folder}/bc-20251103.htm").respond_with_handler(answer)
    filings = [("0000000042-25-000200", "2025-11-04", "8-K", "bc-20251103.htm")]
    httpserver.expect_request(f"/submissions/CIK{BIGCLOUD_CIK}.json").respond_with_json(
        submissions(BIGCLOUD_CIK, filings)
    )
    cache = tmp_path / "sec_documents"
    base = httpserver.url_for("/").rstrip("/")

    def scan(since: date = date(2025, 8, 1)) -> list[dict]:
        rows, _ = sec.fetch_filings(
            HttpClient(), base, base, CONTACT, [("bigcloud", BIGCLOUD_CIK)], since, 1 << 20,
            DocumentCache(cache),
        )  # fmt: skip
        return rows

    first = scan()
    assert scan() == first and statuses == [200, 304]
    assert "$38 billion" in json.loads(first[0]["sentences"])[0]
    document.update(etag="v2", html="<p>BigCloud and Alpha Labs signed a $40 billion agreement.</p>")
    assert json.loads(scan()[0]["sentences"]) == ["BigCloud and Alpha Labs signed a $40 billion agreement."]
    assert statuses == [200, 304, 200] and len(list(cache.glob("*.json"))) == 1
    assert scan(since=date(2025, 12, 1)) == [] and list(cache.glob("*.json")) == []


def test_a_document_that_never_ends_is_cut_off_at_the_cap(tmp_path, httpserver):
    serve_filings(httpserver, endless_document=True)
    SecServer(httpserver, [BIGCLOUD_CIK, "0000000043"])
    pipeline = filings_pipeline(tmp_path, httpserver, filing_max_bytes=256 * 1024)
    assert pipeline.run().success
    with duckdb.connect(str(pipeline.settings.warehouse_db), read_only=True) as conn:
        [(bytes_read, truncated, sentences)] = conn.execute(
            "select bytes_read, truncated, sentences from sec_filings"
        ).fetchall()
    assert (bytes_read, truncated) == (str(256 * 1024), "true")
    assert "$38 billion of cloud capacity" in json.loads(sentences)[0]


def test_deal_candidates_are_sentences_naming_a_counterparty_with_an_amount_or_a_capacity(tmp_path, httpserver):
    """The 8-K's sentences against the small fixture's flows: $38B with Alpha Labs is within 10% of f3 (alpha
    -> bigcloud, 4B a year for 10 years = 40B), so matched; 1.2 GW with Neo Compute has no flow, so new; the
    revenue sentence names no other company and the item heading states no amount."""
    serve_filings(httpserver)
    SecServer(httpserver, [BIGCLOUD_CIK, "0000000043"])
    pipeline = filings_pipeline(tmp_path, httpserver)
    assert pipeline.run().success
    url = httpserver.url_for("/Archives/edgar/data/42/000000004225000200/bc-20251103.htm")
    assert pipeline.query("select * from deal_candidates order by candidate_id") == [
        ("0000000042-25-000200#1", "filing", "bigcloud", ["alpha"], date(2025, 11, 4), url,
         "On November 3, 2025, BigCloud, Inc. (“BigCloud”) entered into an agreement with Alpha Labs under which "
         "Alpha will purchase $38 billion of cloud capacity.", 38e9, None, "f3", "matched"),
        ("0000000042-25-000200#2", "filing", "bigcloud", ["neo"], date(2025, 11, 4), url,
         "BigCloud also agreed to provide 1.2 GW of capacity to Neo Compute over five years.", None, 1.2, None,
         "new"),
    ]  # fmt: skip
    # the report lists the new one to review, not the matched one
    report = (pipeline.settings.published_dir / "report.html").read_text()
    section = report[report.index('<h2 id="candidates">') : report.index('<h2 id="concentration">')]
    assert "0000000042-25-000200#2" in section and "1.2 GW" in section and "#1" not in section
    # make review lists the new one only
    review = subprocess.run(
        ["make", "-s", "review"],
        cwd=REPO,
        env={**os.environ, "AIINFRA_WAREHOUSE_DIR": str(pipeline.warehouse_dir), "COLUMNS": "400"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert review.returncode == 0, review.stderr
    assert "0000000042-25-000200#2" in review.stdout and "#1" not in review.stdout


def test_an_accepted_candidate_counts_only_once_a_person_completes_it(tmp_path, httpserver, monkeypatch, capsys):
    """ai-infra-accept writes the new candidate as a cited row with flow_type, is_firm, status and
    last_verified_on blank: the next run quarantines it for those four and still lists the candidate;
    completed, it becomes a flow that the candidate is matched to (by its quote: it states no amount to
    match). Accepting twice, a matched or an unknown candidate is refused, and the deals file is left as it
    was."""
    serve_filings(httpserver)
    SecServer(httpserver, [BIGCLOUD_CIK, "0000000043"])
    pipeline = filings_pipeline(tmp_path, httpserver)
    assert pipeline.run().success
    monkeypatch.setenv("AIINFRA_WAREHOUSE_DIR", str(pipeline.warehouse_dir))
    monkeypatch.setenv("AIINFRA_DATA_DIR", str(pipeline.data_dir))
    deals = pipeline.data_dir / "deals.csv"
    before = deals.read_text()

    assert accept.main(["0000000042-25-000200#2"]) == 0
    assert "Added flow candidate-0000000042-25-000200-2" in capsys.readouterr().out
    assert deals.read_text().startswith(before)
    with deals.open() as f:
        added = list(csv.DictReader(f))[-1]
    url = httpserver.url_for("/Archives/edgar/data/42/000000004225000200/bc-20251103.htm")
    assert {k: v for k, v in added.items() if k != "note"} == {
        "flow_id": "candidate-0000000042-25-000200-2", "deal_id": "candidate-0000000042-25-000200-2",
        "announced_on": "2025-11-04", "from_company": "bigcloud", "to_company": "neo", "flow_type": "",
        "amount_usd": "", "amount_basis": "", "term_years": "", "is_firm": "", "status": "", "superseded_by": "",
        "compute_gw": "1.2", "chip_family": "", "source_url": url,
        "source_quote": "BigCloud also agreed to provide 1.2 GW of capacity to Neo Compute over five years.",
        "amount_low_usd": "", "amount_high_usd": "", "primary_source_url": url, "source_tier": "filing",
        "corroborating_urls": "", "last_verified_on": "",
    }  # fmt: skip
    assert added["note"].startswith("from deal candidate 0000000042-25-000200#2 (ai-infra-accept, ")

    for refused, reason in [
        ("0000000042-25-000200#2", "already in"),
        ("0000000042-25-000200#1", "restates flow f3"),
        ("0000000042-25-000200#9", "no deal candidate"),
    ]:
        text = deals.read_text()
        assert accept.main([refused]) == 1
        assert reason in capsys.readouterr().err
        assert deals.read_text() == text

    assert pipeline.run().success
    assert pipeline.query(
        "select column_name, check_name from quarantine where record->>'flow_id' = ? order by column_name",
        ["candidate-0000000042-25-000200-2"],
    ) == [(column, "not_nullable") for column in ("flow_type", "is_firm", "last_verified_on", "status")]
    assert pipeline.query("select state from deal_candidates where candidate_id like '%#2'") == [("new",)]

    # completed by a person: Neo Compute buys the capacity from BigCloud, an undisclosed amount
    completed = {**added, "from_company": "neo", "to_company": "bigcloud", "flow_type": "cloud_commitment",
                 "is_firm": "true", "status": "announced", "last_verified_on": "2025-11-05",
                 "note": "capacity only; amount undisclosed"}  # fmt: skip
    with deals.open("w", newline="") as f:
        f.write(before)
        csv.DictWriter(f, list(added), lineterminator="\n").writerow(completed)
    assert pipeline.run().success
    assert pipeline.query("select from_company, to_company, compute_gw from deal_flows where flow_id like 'cand%'") == [
        ("neo", "bigcloud", 1.2)
    ]
    assert pipeline.query("select state, matched_flow_id from deal_candidates where candidate_id like '%#2'") == [
        ("matched", "candidate-0000000042-25-000200-2")
    ]


# --- press releases: newsroom feeds ----------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Neo Compute News</title><link>https://neo.example/news</link><description>News</description>
<item><title>Neo Compute signs multi-year agreement with Alpha Labs</title>
<link>https://neo.example/news/alpha-agreement</link><dc:creator><![CDATA[Neo Newsroom]]></dc:creator>
<pubDate>Mon, 10 Nov 2025 14:00:00 +0000</pubDate><category><![CDATA[Press Releases]]></category>
<guid isPermaLink="false">https://neo.example/?p=4711</guid>
<description><![CDATA[Neo Compute will supply capacity to Alpha Labs&#8230;]]></description>
<content:encoded><![CDATA[<p>Neo Compute today announced that Alpha Labs has committed $5&nbsp;billion to Neo Compute's
cloud over five years.</p><p>The capacity comes online in 2026.</p>]]></content:encoded></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Big Cloud blog</title><id>urn:bigcloud:blog</id>
<updated>2025-11-12T09:00:00Z</updated>
<entry><title>Big Cloud and ChipCo partner on 2 GW of accelerators</title><id>urn:bigcloud:post:99</id>
<link href="https://bigcloud.example/blog/chipco"/><updated>2025-11-12T09:00:00Z</updated>
<summary type="html">&lt;p&gt;The partnership covers 2 GW of ChipCo accelerators.&lt;/p&gt;</summary></entry>
</feed>"""


def test_feeds_that_fail_are_skipped_and_the_others_give_candidates(tmp_path, httpserver):
    httpserver.expect_request("/neo.rss").respond_with_data(RSS, content_type="application/rss+xml")
    httpserver.expect_request("/bigcloud.atom").respond_with_data(ATOM, content_type="application/atom+xml")
    httpserver.expect_request("/broken.rss").respond_with_data(
        "<rss><channel><item><title>cut", content_type="text/xml"
    )
    httpserver.expect_request("/down.rss").respond_with_data("unavailable", status=503)
    feeds = tmp_path / "feeds.csv"
    feeds.write_text(
        "company_id,url\n"
        + "".join(f"{c},{httpserver.url_for(p)}\n" for c, p in [("neo", "/neo.rss"), ("bigcloud", "/bigcloud.atom"),
                                                               ("alpha", "/broken.rss"), ("chipco", "/down.rss")])
    )  # fmt: skip
    pipeline = Pipeline(
        tmp_path / "warehouse", data_dir=SMALL, price_sources=[], filing_sources=["feeds"],
        settings_overrides={"feeds_file": str(feeds)},
    )  # fmt: skip
    result = pipeline.run()
    assert result.success  # two feeds failed; the run still publishes
    [materialization] = result.asset_materializations_for_node("press_releases")
    assert materialization.metadata["feeds_skipped"].value == 2
    left_out = materialization.metadata["left_out"].value
    assert f"feed {httpserver.url_for('/broken.rss')} skipped: not a well-formed feed" in left_out
    assert f"feed {httpserver.url_for('/down.rss')} skipped" in left_out and "HTTP 503" in left_out
    rows = pipeline.query(
        "select candidate_id like 'feed-%#%', source_kind, company_id, counterparties, published_on::varchar, "
        "source_url, quote, amount_usd, compute_gw, matched_flow_id, state from deal_candidates order by company_id"
    )
    assert rows == [
        # 2 GW of ChipCo accelerators: the title and the summary both say it
        (True, "feed", "bigcloud", ["chipco"], "2025-11-12", "https://bigcloud.example/blog/chipco",
         "Big Cloud and ChipCo partner on 2 GW of accelerators", None, 2.0, None, "new"),
        (True, "feed", "bigcloud", ["chipco"], "2025-11-12", "https://bigcloud.example/blog/chipco",
         "The partnership covers 2 GW of ChipCo accelerators.", None, 2.0, None, "new"),
        # $5B from Alpha: f7 (alpha -> neo, $6B) is 20% away, more than 10%: new
        (True, "feed", "neo", ["alpha"], "2025-11-10", "https://neo.example/news/alpha-agreement",
         "Neo Compute today announced that Alpha Labs has committed $5 billion to Neo Compute's cloud over five "
         "years.", 5e9, None, None, "new"),
    ]  # fmt: skip


def test_a_filing_source_that_reads_no_fact_fails_unless_allowed_empty(tmp_path, httpserver):
    server = SecServer(httpserver, [BIGCLOUD_CIK], answers={})  # every tag a 404
    pipeline = sec_pipeline(tmp_path, server)
    result = pipeline.run()
    assert not result.success and failed_steps(result) == ["sec_company_facts"]
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "Source sec_company_facts has no rows" in str(failure.event_specific_data.error)
    pipeline.settings_overrides["allow_empty_sources"] = ["sec_company_facts"]
    assert pipeline.run().success


def test_a_recorded_filing_document_is_read_like_a_live_one_and_cut_at_the_cap(tmp_path):
    """The snapshot source reads a `document` recording as the live source reads an answer (entities decoded,
    sentences joined across tags), only up to the cap, and only for a tracked cik. Whatever its date: the
    bundled 10-K of 2025-02-07 gives the offline candidates (test_bundled)."""
    html = "<p>Bigcloud&#160;will buy $2<span> billion</span> of compute.</p><p>" + "x" * 500 + "</p>"
    (tmp_path / "doc.htm").write_text(html)
    entry = {"kind": "document", "form": "8-K", "filed_on": "2020-01-02", "primary_document": "doc.htm",
             "file": "doc.htm", "recorded_from": "https://example.org/copy/doc.htm"}  # fmt: skip
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            [
                {**entry, "cik": "42", "accession": "0000000042-20-000001", "url": "https://www.sec.gov/doc.htm"},
                {**entry, "cik": "43", "accession": "0000000043-20-000001", "url": "https://www.sec.gov/other.htm"},
            ]
        )
    )
    rows, skipped = snapshot.read_filings(tmp_path, [("bigcloud", "42")], max_bytes=100)
    assert skipped == {"recording of an untracked company": 1}
    [row] = rows
    assert {k: row[k] for k in ("company_id", "cik", "accession", "filed_on", "document_url", "source_url")} == {
        "company_id": "bigcloud",
        "cik": "0000000042",
        "accession": "0000000042-20-000001",
        "filed_on": "2020-01-02",
        "document_url": "https://www.sec.gov/doc.htm",
        "source_url": "https://example.org/copy/doc.htm",
    }
    assert (row["bytes_read"], row["truncated"]) == ("100", "true")
    assert json.loads(row["sentences"])[0] == "Bigcloud will buy $2 billion of compute."
