"""The Dagster webserver, started for real on 127.0.0.1, explains the pipeline through GraphQL."""

from pathlib import Path

from conftest import graphql

REPO = Path(__file__).parent.parent
GROUP_ORDER = ["ingest", "validate", "model", "metrics", "publish"]

QUERY = """
{
  assetNodes {
    assetKey { path } groupName dependencyKeys { path } description kinds
    owners { ... on TeamAssetOwner { team } }
    internalFreshnessPolicy { __typename ... on TimeWindowFreshnessPolicy { failWindowSeconds } }
    metadataEntries { label ... on TableSchemaMetadataEntry { schema { columns { name description } } } }
  }
  sensorsOrError(repositorySelector: {repositoryLocationName: "ai_infra", repositoryName: "__repository__"}) {
    ... on Sensors { results { name sensorState { status } } }
  }
  schedulesOrError(repositorySelector: {repositoryLocationName: "ai_infra", repositoryName: "__repository__"}) {
    ... on Schedules { results { name cronSchedule executionTimezone scheduleState { status } } }
  }
}
"""


def test_asset_lineage_and_schedule_through_graphql(webserver):
    data = graphql(webserver, QUERY)
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    group = {key: n["groupName"] for key, n in nodes.items()}
    assert set(group.values()) == set(GROUP_ORDER)

    # Every edge goes forward through the groups, and publish is reached from every ingest asset.
    for key, node in nodes.items():
        for dep in node["dependencyKeys"]:
            assert GROUP_ORDER.index(group["/".join(dep["path"])]) <= GROUP_ORDER.index(group[key])
    parents = {key: {"/".join(d["path"]) for d in n["dependencyKeys"]} for key, n in nodes.items()}

    def ancestors(key):
        seen, todo = set(), [key]
        while todo:
            for p in parents[todo.pop()] - seen:
                seen.add(p)
                todo.append(p)
        return seen

    upstream_of_publish = ancestors("published_snapshot")
    assert {k for k, g in group.items() if g == "ingest"} <= upstream_of_publish
    assert {group[k] for k in upstream_of_publish} == set(GROUP_ORDER) - {"publish"}
    assert {"raw_deals", "clean_deals", "deal_flows", "scenario_flows", "round_trips"} <= ancestors(
        "published_snapshot"
    ) | {"published_snapshot"}

    [schedule] = data["schedulesOrError"]["results"]
    assert schedule == {
        "name": "daily_refresh",
        "cronSchedule": "0 6 * * *",
        "executionTimezone": "UTC",
        "scheduleState": {"status": "RUNNING"},
    }


def test_every_asset_explains_itself_through_graphql(webserver):
    data = graphql(webserver, QUERY)
    sql_assets = {p.stem for p in (REPO / "sql").glob("*/*.sql") if p.parent.name in ("model", "metrics")}
    # every SQL table is an asset the webserver serves: the loop below then checks each of them
    assert sql_assets <= {"/".join(node["assetKey"]["path"]) for node in data["assetNodes"]}
    assert {"deal_flows", "round_trips", "market_concentration"} <= sql_assets
    for node in data["assetNodes"]:
        key = "/".join(node["assetKey"]["path"])
        assert node["description"] and node["groupName"] and node["kinds"], key
        assert node["owners"] == [{"team": "data"}], key
        if key in sql_assets:
            [schema] = [m["schema"] for m in node["metadataEntries"] if m["label"] == "dagster/column_schema"]
            assert schema["columns"] and all(c["description"] for c in schema["columns"]), key
        if key in sql_assets | {"published_snapshot"}:  # the published tables: a day and a bit
            assert node["internalFreshnessPolicy"]["failWindowSeconds"] == 26 * 3600, key
    sensors = {s["name"]: s["sensorState"]["status"] for s in data["sensorsOrError"]["results"]}
    assert sensors == {"deals_file_changed": "RUNNING", "dead_runs": "RUNNING", "run_failed_alert": "RUNNING"}
