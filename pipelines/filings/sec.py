"""SEC EDGAR's XBRL company-concept API: the figures a company reports (RPO, capex, revenue), fact by fact.

`{AIINFRA_SEC_DATA_URL}/api/xbrl/companyconcept/CIK##########/us-gaap/<Tag>.json` answers
`{cik, taxonomy, tag, label, description, entityName, units: {USD: [fact, ...]}}`; a companyfacts file
(`/api/xbrl/companyfacts/CIK##########.json`) holds the same facts under `facts["us-gaap"][<Tag>]`. A fact
is `{start (durations only), end, val, accn, fy, fp, form, filed, frame (optional)}`. `fy` and `fp` describe
the filing, not the period, so periods are keyed on start and end. A 404 means the company never used the tag.

SEC fair access: every request names the operator's contact (AIINFRA_SEC_CONTACT) in its User-Agent, at most
10 requests in any second (retries included: one limiter, spaced a little under), 403 and 429 retried.
"""

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date

from pipelines.filings.cache import DocumentCache
from pipelines.filings.documents import html_to_text, sentences
from pipelines.prices.http import RETRY_STATUSES, HttpClient, RateLimiter
from pipelines.prices.observations import SourceError

# concept -> its us-gaap tags, preferred first: companies use one or the other (Amazon reports capex as
# PaymentsToAcquireProductiveAssets, NVIDIA and Alphabet revenue as Revenues)
CONCEPTS = {
    "rpo": ("RevenueRemainingPerformanceObligation",),
    "capex": ("PaymentsToAcquirePropertyPlantAndEquipment", "PaymentsToAcquireProductiveAssets"),
    "revenue": ("RevenueFromContractWithCustomerExcludingAssessedTax", "Revenues"),
}
# Periodic reports state a period's figures; an 8-K or proxy that repeats one does not restate it.
FORMS = ("10-K", "10-K/A", "10-Q", "10-Q/A", "20-F", "20-F/A", "40-F", "6-K")
FACT_COLUMNS = [
    "company_id",
    "cik",
    "concept",
    "tag",
    "tag_rank",
    "period_start",
    "period_end",
    "value_usd",
    "form",
    "filed_on",
    "accession",
    "fiscal_year",
    "fiscal_period",
    "frame",
    "source_url",
    "recording",
]
# Filings read for deal announcements and the filings that repeat them (an 8-K, a foreign issuer's 6-K, the
# quarterly and annual reports), amendments included.
FILING_FORMS = ("8-K", "8-K/A", "6-K", "6-K/A", "10-Q", "10-Q/A", "10-K", "10-K/A")
FILING_COLUMNS = [
    "company_id",
    "cik",
    "accession",
    "form",
    "filed_on",
    "report_date",
    "items",
    "primary_document",
    "document_url",
    "bytes_read",
    "truncated",
    "sentences",
    "source_url",
]
SEC_RETRY_STATUSES = (403, *RETRY_STATUSES)  # SEC answers 403 to a client it thinks too fast
LIMITER = RateLimiter(per_second=8)  # SEC's limit is 10 a second; shared by every SEC request of the process


def padded(cik: str | int) -> str:
    return f"{int(cik):010d}"


def concept_url(base_url: str, cik: str | int, tag: str) -> str:
    return f"{base_url.rstrip('/')}/api/xbrl/companyconcept/CIK{padded(cik)}/us-gaap/{tag}.json"


def submissions_url(base_url: str, cik: str | int) -> str:
    return f"{base_url.rstrip('/')}/submissions/CIK{padded(cik)}.json"


def document_url(archives_url: str, cik: str | int, accession: str, document: str) -> str:
    return f"{archives_url.rstrip('/')}/Archives/edgar/data/{int(cik)}/{accession.replace('-', '')}/{document}"


def recent_filings(payload: dict, since: date) -> list[dict]:
    """The filings of `filings.recent` (parallel arrays, one per field; a field SEC adds or drops is fine)
    of the forms in FILING_FORMS filed on or after `since`, newest first as SEC lists them."""
    recent = payload.get("filings", {}).get("recent", {})
    fields = [f for f, values in recent.items() if isinstance(values, list)]
    count = min((len(recent[f]) for f in fields), default=0)
    filings = [{f: recent[f][i] for f in fields} for i in range(count)]
    return [
        f
        for f in filings
        if f.get("form") in FILING_FORMS and f.get("filingDate", "") >= since.isoformat() and f.get("primaryDocument")
    ]


def user_agent(contact: str) -> str:
    return f"ai-infra-deals/0.1 {contact}"


def facts(
    units: dict, company_id: str, cik: str | int, concept: str, tag: str, source_url: str, recording: str = ""
) -> list[dict]:
    """The USD facts of one tag (a companyconcept payload's or a companyfacts tag's `units`) from periodic
    reports, one row per fact as filed: a period reported in several filings appears once per filing."""
    return [
        {
            "company_id": company_id,
            "cik": padded(cik),
            "concept": concept,
            "tag": tag,
            "tag_rank": str(CONCEPTS[concept].index(tag) + 1),
            "period_start": fact.get("start"),
            "period_end": fact.get("end"),
            "value_usd": None if fact.get("val") is None else str(fact["val"]),
            "form": fact.get("form"),
            "filed_on": fact.get("filed"),
            "accession": fact.get("accn"),
            "fiscal_year": None if fact.get("fy") is None else str(fact["fy"]),
            "fiscal_period": fact.get("fp"),
            "frame": fact.get("frame"),
            "source_url": source_url,
            "recording": recording or None,
        }
        for fact in units.get("USD", [])
        if fact.get("form") in FORMS
    ]


def _headers(contact: str) -> dict[str, str]:
    return {"User-Agent": user_agent(contact), "Accept-Encoding": "gzip, deflate"}


def _sec_json(http: HttpClient, url: str, contact: str) -> dict | None:
    """The JSON object SEC answers at `url`, or None for a 404 (a tag or a company SEC has nothing for);
    SourceError for any other failure or an answer that is not a JSON object."""
    try:
        body = http.get(url, headers=_headers(contact), limiter=LIMITER, retry_statuses=SEC_RETRY_STATUSES)
    except SourceError as err:
        if err.status == 404:
            return None
        raise
    try:
        payload = json.loads(body)
    except ValueError as err:
        raise SourceError(url, f"not JSON ({err})") from err
    if not isinstance(payload, dict):
        raise SourceError(url, "not a JSON object")
    return payload


def fetch_filings(
    http: HttpClient,
    data_url: str,
    archives_url: str,
    contact: str,
    companies: Iterable[tuple[str, str]],
    since: date,
    max_bytes: int,
    cache: DocumentCache,
) -> tuple[list[dict], Counter]:
    """Every company's filings since `since` (submissions API), each with its primary document's sentences, the
    document cut off after `max_bytes` and asked for conditionally when `cache` holds it. A company the
    submissions API does not know (404) is skipped and counted; any other failure raises SourceError."""
    rows: list[dict] = []
    skipped: Counter = Counter()
    for company_id, cik in companies:
        url = submissions_url(data_url, cik)
        payload = _sec_json(http, url, contact)
        if payload is None:
            skipped[f"no submissions for {company_id} (cik {padded(cik)})"] += 1
            continue
        for filing in recent_filings(payload, since):
            doc_url = document_url(archives_url, cik, filing["accessionNumber"], filing["primaryDocument"])
            rows.append(
                {
                    "company_id": company_id,
                    "cik": padded(cik),
                    "accession": filing["accessionNumber"],
                    "form": filing["form"],
                    "filed_on": filing["filingDate"],
                    "report_date": filing.get("reportDate") or None,
                    "items": filing.get("items") or None,
                    "primary_document": filing["primaryDocument"],
                    "document_url": doc_url,
                    **_document(http, doc_url, contact, max_bytes, cache),
                    "source_url": url,
                }
            )
    cache.prune()
    return rows, skipped


def _document(http: HttpClient, url: str, contact: str, max_bytes: int, cache: DocumentCache) -> dict[str, str]:
    """A filing document as bytes read, whether it was cut off, and its text as a JSON list of sentences."""
    kept = cache.entry(url, max_bytes)
    answer = http.get_prefix(
        url,
        max_bytes,
        headers={**_headers(contact), **cache.conditions(kept)},
        limiter=LIMITER,
        retry_statuses=SEC_RETRY_STATUSES,
    )
    if answer.not_modified and kept is not None:
        return kept["document"]
    document = document_fields(answer.body, answer.truncated)
    cache.put(url, max_bytes, answer.validators, document)
    return document


def document_fields(body: bytes, truncated: bool) -> dict[str, str]:
    """The FILING_COLUMNS of a document's text: the bytes read, whether it was cut off, its sentences (JSON)."""
    return {
        "bytes_read": str(len(body)),
        "truncated": str(truncated).lower(),
        "sentences": json.dumps(sentences(html_to_text(body.decode("utf-8", errors="replace"))), ensure_ascii=False),
    }


def fetch_company_facts(
    http: HttpClient, base_url: str, contact: str, companies: Iterable[tuple[str, str]]
) -> tuple[list[dict], Counter]:
    """Every concept's facts of every (company_id, cik), from the companyconcept API; a tag a company never
    used (404) is counted in `skipped`. Raises SourceError when a request fails for any other reason."""
    rows: list[dict] = []
    skipped: Counter = Counter()
    for company_id, cik in companies:
        for concept, tags in CONCEPTS.items():
            for tag in tags:
                url = concept_url(base_url, cik, tag)
                payload = _sec_json(http, url, contact)
                if payload is None:
                    skipped[f"{tag} not reported"] += 1
                    continue
                if not isinstance(payload.get("units"), dict):
                    raise SourceError(url, "not a companyconcept answer: no `units` object")
                rows += facts(payload["units"], company_id, cik, concept, tag, url)
    return rows, skipped
