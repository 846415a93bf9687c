"""Checks on the metrics that can catch a wrong query, not just an empty one.

Each sql/checks/<asset>__<check>.sql selects the rows of <asset> that break a rule (its header
comment says which); the check passes when it selects none. Every metric that cites flows also gets
`cites_only_counted_flows`: no row may cite a flow its scenario leaves out (see scenario_flows). The checks block: a failing one stops the run before publish.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets.sql_models import SqlModel
from pipelines.resources import SQL_DIR

# One unnest of the cited ids, each with its row's position, and an anti-join: linear in the ids cited
# (copying each row per id it cites would be quadratic in the length of flow_ids).
CITED_FLOWS = """
with cited as (
    select row_number() over () as row_position, scenario, {flows} as flow_ids from {table} as rows
),
cited_flows as (
    select row_position, scenario, unnest(flow_ids) as flow_id from cited
)
select row_position, scenario, flow_id as flow_not_counted
from cited_flows
anti join scenario_flows using (scenario, flow_id)
"""


def build_sql_check(asset: str, name: str, description: str, query: str) -> dg.AssetChecksDefinition:
    """`query`: SQL selecting the offending rows of `asset`."""

    @dg.asset_check(asset=asset, name=name, description=description, blocking=True, pool="duckdb")
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:  # one pass: the count over every offending row, five of them shown
            sample = conn.execute(f"select count(*) over () as offending_rows, * from ({query}) limit 5").df()
        offending = int(sample.pop("offending_rows").iloc[0]) if len(sample) else 0
        return dg.AssetCheckResult(
            passed=offending == 0,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"{offending} row(s) of {asset} break the rule" if offending else "no row breaks the rule",
            metadata={"offending_rows": offending,
                      "sample": dg.MetadataValue.md(sample.astype("string").to_markdown(index=False)
                                                    if offending else "none")},
        )

    return _check


def build_sql_checks(models: list[SqlModel]) -> list[dg.AssetChecksDefinition]:
    checks = []
    for path in sorted((SQL_DIR / "checks").glob("*.sql")):
        rule = SqlModel.from_file(path)
        asset, name = path.stem.split("__", 1)
        checks.append(build_sql_check(asset, name, rule.description, rule.query))
    for metric, query in cited_flows_rules(models).items():
        checks.append(build_sql_check(
            metric, "cites_only_counted_flows",
            "No row cites a flow its scenario leaves out (the rules are in scenario_flows).", query))
    return checks


def cited_flows_rules(models: list[SqlModel]) -> dict[str, str]:
    """metric -> the query selecting the flows its rows cite that their scenario leaves out. The documented
    columns say whether and how a metric cites flows (flow_ids, or one flow_id per row)."""
    rules = {}
    for model in models:
        cited = ("rows.flow_ids" if "flow_ids" in model.columns
                 else "[rows.flow_id]" if "flow_id" in model.columns else None)
        if model.group == "metrics" and cited and "scenario" in model.columns:
            rules[model.name] = CITED_FLOWS.format(table=model.name, flows=cited)
    return rules
