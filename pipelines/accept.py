"""Turn a deal candidate into a pre-filled, cited row of the deals file, for a person to complete.

    ai-infra-accept CANDIDATE_ID [CANDIDATE_ID ...]     (the ids `make review` lists)
    make accept CANDIDATE=<candidate_id>

The row carries what the document states: the day it was published, the filer and the counterparty, the
amount or capacity, the address and the sentence. What only a reader can tell is left blank on purpose:
`flow_type`, `is_firm`, `status` and `last_verified_on` (the day a person checked it); the direction is
the filer's to the counterparty's until someone checks it. A blank required field is quarantined, so the
row counts in no table until a person completes it and the next run validates it. The candidate is read
from the published snapshot, read-only; the deals file is rewritten whole and swapped in, so an
interrupted command leaves it as it was.
"""

import argparse
import csv
import io
import os
import sys
from datetime import date
from pathlib import Path

import duckdb

from pipelines.resources import settings_from_env

# The columns a person completes before the row counts; validation quarantines the row while any is blank.
TO_COMPLETE = ("flow_type", "is_firm", "status", "last_verified_on")
TIER_OF_KIND = {
    "filing": "filing",
    "feed": "company",
}  # a filing is a regulatory filing; a feed item, a party's release


def marker(candidate_id: str) -> str:
    """How a row names the candidate it came from (in `note`), so a candidate is accepted once."""
    return f"from deal candidate {candidate_id}"


def flow_id(candidate_id: str) -> str:
    return "candidate-" + "".join(c if c.isalnum() else "-" for c in candidate_id)


def number(value: float | None) -> str:
    """A figure as the deals file writes it: digits, no exponent (2e10 -> 20000000000)."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def prefilled_row(candidate: dict, header: list[str], today: date) -> dict[str, str]:
    counterparty, *others = candidate["counterparties"]
    note = (
        f"{marker(candidate['candidate_id'])} (ai-infra-accept, {today.isoformat()}): complete "
        f"{', '.join(TO_COMPLETE)}; check the direction (from_company pays to_company), the announcement day "
        "(here the day the document was published) and that the amount is the deal's, then remove this request"
    )
    if others:
        note += f"; the sentence also names {', '.join(others)}"
    row = {
        "flow_id": flow_id(candidate["candidate_id"]),
        "deal_id": flow_id(candidate["candidate_id"]),
        "announced_on": candidate["published_on"].isoformat(),
        "from_company": candidate["company_id"],
        "to_company": counterparty,
        "amount_usd": number(candidate["amount_usd"]),
        "compute_gw": number(candidate["compute_gw"]),
        "source_url": candidate["source_url"],
        "source_quote": candidate["quote"],
        "primary_source_url": candidate["source_url"],
        "source_tier": TIER_OF_KIND[candidate["source_kind"]],
        "note": note,
    }
    return {column: row.get(column, "") for column in header}


def read_candidate(snapshot: Path, candidate_id: str) -> dict:
    with duckdb.connect(str(snapshot), read_only=True) as conn:
        relation = conn.execute("select * from deal_candidates where candidate_id = ?", [candidate_id])
        columns = [d[0] for d in relation.description]
        found = relation.fetchone()
    if found is None:
        raise LookupError(f"no deal candidate {candidate_id!r} in {snapshot} (`make review` lists them)")
    return dict(zip(columns, found, strict=True))


def append_row(deals: Path, candidate: dict, today: date) -> dict[str, str]:
    text = deals.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    header = list(reader.fieldnames or [])
    missing = [c for c in ("flow_id", "note", *TO_COMPLETE) if c not in header]
    if missing:
        raise ValueError(f"{deals} is not a deals file: no column {', '.join(missing)}")
    taken = [r["flow_id"] for r in rows if marker(candidate["candidate_id"]) in (r.get("note") or "")]
    row = prefilled_row(candidate, header, today)
    taken += [r["flow_id"] for r in rows if r["flow_id"] == row["flow_id"]]
    if taken:
        raise ValueError(f"candidate {candidate['candidate_id']} is already in {deals} as flow {taken[0]}")
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writerow(row)
    separator = "" if text.endswith("\n") or not text else "\n"
    staged = deals.with_name(f".{deals.name}.accept")
    staged.write_text(text + separator + out.getvalue(), encoding="utf-8")
    os.replace(staged, deals)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("candidate_ids", nargs="+", metavar="CANDIDATE_ID", help="as `make review` lists them")
    args = parser.parse_args(argv)
    settings = settings_from_env()
    deals = Path(settings.deals_source)
    if settings.deals_source.startswith(("http://", "https://")) or not deals.is_file():
        print(f"AIINFRA_DEALS_SOURCE={settings.deals_source} is not a local deals file to add rows to", file=sys.stderr)
        return 1
    if not settings.published_db.exists():
        print(f"No published snapshot at {settings.published_db}: run `make run` first.", file=sys.stderr)
        return 1
    for candidate_id in args.candidate_ids:
        try:
            candidate = read_candidate(settings.published_db, candidate_id)
            if candidate["state"] == "matched":
                raise ValueError(
                    f"candidate {candidate_id} restates flow {candidate['matched_flow_id']}: nothing to add"
                )
            row = append_row(deals, candidate, date.today())
        except (LookupError, ValueError) as err:
            print(err, file=sys.stderr)
            return 1
        print(f"Added flow {row['flow_id']} to {deals}: {row['from_company']} -> {row['to_company']}, "
              f"{row['announced_on']}. Complete {', '.join(TO_COMPLETE)} (and check it) before it counts.")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
