"""The whole daily job with the live price sources pointed at a local server in the real formats."""

import csv
import io
import json
import re
import shutil
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
from conftest import FIXTURES, SMALL, Pipeline, failed_steps, published_fingerprint
from werkzeug import Request, Response

from pipelines.prices.observations import Parsed
from pipelines.prices.sources import PRICE_SOURCES, PriceSource
from pipelines.resources import DATA_DIR

# The real SkyPilot catalog lines that are bundled, and synthetic Azure and AWS payloads in the real
# formats (tests/fixtures/prices/synthetic: invented prices, for tests only; no real ones could be had).
RECORDINGS = json.loads((DATA_DIR / "price_snapshots" / "manifest.json").read_text())["recordings"]
CATALOGS = {r["cloud"]: DATA_DIR / "price_snapshots" / r["file"] for r in RECORDINGS if r["format"] == "skypilot"}
SYNTHETIC = FIXTURES / "prices" / "synthetic"
AZURE_PAGES = ["page-1.json", "page-2.json", "page-3.json"]
AWS_REGIONS = ["us-east-1", "us-west-2"]
LIVE = ["skypilot", "azure", "aws"]


def scale_csv(text: str, scale: float) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: f"{float(v) * scale}" if k in ("Price", "SpotPrice") and v else v for k, v in row.items()})
    return out.getvalue()


def scale_aws(offer: dict, scale: float) -> dict:
    for terms in offer["terms"].values():
        for offers in terms.values():
            for term in offers.values():
                for dimension in term["priceDimensions"].values():
                    usd = dimension["pricePerUnit"]
                    usd["USD"] = f"{float(usd['USD']) * scale:.10f}"
    return offer


def serve_recordings(httpserver, scale: float = 1.0) -> None:
    """The payloads at the real URL paths, with every price multiplied by `scale`."""
    pages = [json.loads((SYNTHETIC / "azure" / p).read_text()) for p in AZURE_PAGES]
    for page in pages:
        for item in page["Items"]:
            item["retailPrice"] *= scale
            item["unitPrice"] *= scale
    by_skip = {"0": pages[0]} | {
        parse_qs(urlsplit(page["NextPageLink"]).query)["$skip"][0]: pages[i + 1] for i, page in enumerate(pages[:-1])
    }

    def azure(request: Request) -> Response:
        return Response(json.dumps(by_skip[request.args.get("$skip", "0")]), content_type="application/json")

    def files(request: Request) -> Response:
        catalog = re.fullmatch(r"/catalogs/v8/(\w+)/vms.csv", request.path)
        if catalog and catalog[1] in CATALOGS:
            return Response(scale_csv(CATALOGS[catalog[1]].read_text(), scale), content_type="text/csv")
        path = SYNTHETIC / "aws" / request.path.lstrip("/")
        if path.name == "index.json" and path.is_file():
            return Response(
                json.dumps(scale_aws(json.loads(path.read_text()), scale), indent=2, separators=(",", " : ")),
                content_type="application/json",
            )
        if path.is_file():
            return Response(path.read_bytes(), content_type="application/json")
        return Response("not found", status=404)

    httpserver.expect_request("/api/retail/prices").respond_with_handler(azure)
    httpserver.expect_request(re.compile(r"^/(catalogs|offers)/.*")).respond_with_handler(files)


def live_pipeline(tmp_path, httpserver, **overrides) -> Pipeline:
    base = httpserver.url_for("").rstrip("/")
    return Pipeline(
        tmp_path / "warehouse",
        price_sources=LIVE,
        settings_overrides={
            "skypilot_url": f"{base}/catalogs",
            "skypilot_clouds": list(CATALOGS),
            "azure_url": base,
            "aws_url": base,
            "aws_regions": AWS_REGIONS,
            **overrides,
        },
    )


def test_live_sources_publish_their_prices(tmp_path, httpserver):
    serve_recordings(httpserver)
    pipeline = live_pipeline(tmp_path, httpserver)
    result = pipeline.run("2026-11-20")
    assert result.success
    # each source's asset says what it fetched: the Azure pages, with their sizes
    [azure_prices] = result.asset_materializations_for_node("azure_prices")
    fetched = azure_prices.metadata["fetched"].value
    assert fetched.count(httpserver.url_for("/api/retail/prices")) == 3 and "| 200 |" in fetched
    assert azure_prices.metadata["bytes_fetched"].value > 1000
    rows = pipeline.query(
        "select source, count(*), min(observed_on)::varchar, max(observed_on)::varchar "
        "from chip_prices where source <> 'reference' group by 1 order by 1"
    )
    assert [r[0] for r in rows] == ["aws", "azure", "skypilot"]
    assert all(r[1] > 10 and r[2] == r[3] == "2026-11-20" for r in rows)
    urls = [
        u for (u,) in pipeline.query("select distinct source_url from chip_prices where source = 'azure' order by 1")
    ]
    assert len(urls) == 3 and all(u.startswith(httpserver.url_for("/api/retail/prices")) for u in urls)
    assert pipeline.query(
        "select usd_per_instance_hour from chip_prices where source = 'aws' and "
        "instance_type = 'p5.48xlarge' and region = 'us-east-1' and pricing = 'on_demand'"
    ) == [(55.044,)]


def test_days_accumulate_and_a_rerun_replaces_only_its_day(tmp_path, httpserver):
    pipeline = live_pipeline(tmp_path, httpserver)
    serve_recordings(httpserver)
    assert pipeline.run("2026-11-20").success
    day_one = pipeline.query("select * from chip_prices where observed_on = '2026-11-20' order by all")

    httpserver.clear_all_handlers()
    serve_recordings(httpserver, scale=2.0)
    assert pipeline.run("2026-11-21").success
    day_two = pipeline.query("select * from chip_prices where observed_on = '2026-11-21' order by all")
    assert len(day_two) == len(day_one)
    assert pipeline.query("select * from chip_prices where observed_on = '2026-11-20' order by all") == day_one

    httpserver.clear_all_handlers()
    serve_recordings(httpserver, scale=3.0)
    assert pipeline.run("2026-11-20").success  # re-run day one with new prices
    assert pipeline.query("select * from chip_prices where observed_on = '2026-11-21' order by all") == day_two
    [(ratio,)] = pipeline.query(
        "select round(max(usd_per_instance_hour) filter (observed_on = '2026-11-20') "
        "/ max(usd_per_instance_hour) filter (observed_on = '2026-11-21'), 6) from chip_prices "
        "where source = 'aws' and instance_type = 'p5.48xlarge' and region = 'us-east-1' and pricing = 'on_demand'"
    )
    assert ratio == 1.5  # day one now holds the 3x prices, day two still the 2x ones
    assert pipeline.query("select count(*) from chip_prices where observed_on = '2026-11-20'") == [(len(day_one),)]


def test_a_failing_source_fails_its_step_others_record_and_published_prices_stay(tmp_path, httpserver):
    serve_recordings(httpserver)
    pipeline = live_pipeline(tmp_path, httpserver)
    assert pipeline.run("2026-11-20").success
    before = published_fingerprint(pipeline.snapshot.parent)

    pipeline.settings_overrides["aws_regions"] = ["us-east-1", "ap-south-7"]
    result = pipeline.run("2026-11-21")
    assert not result.success and failed_steps(result) == ["aws_prices"]
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "Price source aws failed" in str(failure.event_specific_data.error)
    assert "region 'ap-south-7' is not in the region index" in str(failure.event_specific_data.error)
    with duckdb.connect(str(pipeline.settings.warehouse_db), read_only=True) as conn:
        recorded = [
            source
            for source in ("aws", "azure", "skypilot")
            if conn.execute(f"select count(*) from {source}_prices where run_day = '2026-11-21'").fetchone()[0]
        ]
    assert recorded == ["azure", "skypilot"]
    assert published_fingerprint(pipeline.snapshot.parent) == before


@pytest.mark.parametrize("sources", ["snapshot,skypilot,azure,aws", "aws"])
def test_price_sources_setting_selects_the_assets(sources):
    from pipelines.definitions import build_defs
    from pipelines.resources import build_resources

    defs = build_defs(build_resources({"AIINFRA_PRICE_SOURCES": sources}))
    graph = defs.resolve_asset_graph()
    price_assets = {
        k.to_user_string()
        for k in graph.get_all_asset_keys()
        if graph.get(k).partitions_def and graph.get(k).group_name == "ingest"
    }
    assert price_assets == {f"{s}_prices" for s in sources.split(",")}


def test_unknown_price_source_is_refused():
    from pipelines.resources import build_resources

    with pytest.raises(ValueError, match="unknown source\\(s\\) bloomberg"):
        build_resources({"AIINFRA_PRICE_SOURCES": "snapshot,bloomberg"})


def test_a_new_price_source_is_one_registry_entry(tmp_path):
    """A source registered with build_defs (here a parser of a fixture payload) gets its daily asset, and its
    rows are validated, quarantined and published with the others: no other edit."""

    def parse_fixture(settings, http, accelerators, day) -> Parsed:
        parsed = Parsed()
        for chip, count, price in [("H100", "8", "80.0"), ("B200", "8", "-1"), ("H100", "1", "10.0")]:
            parsed.add(
                source="fixture",
                observed_on=day,
                provider="examplecloud",
                region="r1",
                instance_type=f"{chip.lower()}x{count}",
                accelerator=chip,
                chip=chip,
                chips_per_instance=count,
                pricing="on_demand",
                usd_per_instance_hour=price,
                source_url="https://example.invalid/prices",
            )
        return parsed

    registry = {**PRICE_SOURCES, "fixture": PriceSource("fixture", "A fixture payload, for this test.", parse_fixture)}
    pipeline = Pipeline(tmp_path / "warehouse", price_sources=["fixture"], price_registry=registry)
    assert "fixture_prices" in {k.to_user_string() for k in pipeline.defs().resolve_asset_graph().get_all_asset_keys()}
    assert pipeline.run().success
    assert pipeline.query(
        "select instance_type, usd_per_chip_hour from chip_prices where source = 'fixture' order by all"
    ) == [("h100x1", 10.0), ("h100x8", 10.0)]
    assert pipeline.query("select row_ref, check_name from quarantine where source_table = 'fixture_prices'") == [
        ("line 2: b200x8", "not_positive")
    ]


def test_a_price_source_missing_from_the_registry_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no price source named fixture; known: snapshot, skypilot, azure, aws"):
        Pipeline(tmp_path / "warehouse", price_sources=["fixture"]).defs()


BAD_ROWS = """InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region,AvailabilityZone,Arch
p5.48xlarge,H100,8.0,192.0,2048.0,,55.04,20.1,us-east-1,use1-az1,x86_64
p5.4xlarge,H100,1.0,16.0,256.0,,6.88,,us-east-1,use1-az1,x86_64
x9.48xlarge,X9000,8.0,192.0,2048.0,,40.0,,us-east-1,use1-az1,x86_64
p5.48xlarge,H100,8.0,192.0,2048.0,,-3.0,,us-west-2,usw2-az1,x86_64
p5.4xlarge,H100,1.0,16.0,256.0,,1200.0,,us-west-2,usw2-az1,x86_64
p6-b200.48xlarge,B200,8.0,192.0,2048.0,,113.9328,,us-east-1,use1-az1,x86_64
p6-b200.48xlarge,B200,8.0,192.0,2048.0,,113.9328,,us-east-1,use1-az1,x86_64
"""  # noqa: E501 (a catalog header line as the source writes it)


def test_bad_price_rows_are_quarantined_with_reasons(tmp_path, httpserver):
    httpserver.expect_request("/catalogs/v8/aws/vms.csv").respond_with_data(BAD_ROWS)
    pipeline = live_pipeline(tmp_path, httpserver, skypilot_clouds=["aws"])
    pipeline.price_sources = ["skypilot"]
    assert pipeline.run("2026-11-20").success
    assert pipeline.query("select record->>'instance_type', check_name, reason from quarantine order by all") == [
        ("p5.48xlarge", "not_positive", "usd_per_instance_hour '-3.0' must be greater than zero"),
        (
            "p5.4xlarge",
            "instance_price_too_high",
            "usd_per_instance_hour / chips_per_instance (1200.0, 1) is over $1,000 per chip-hour",
        ),
        (
            "p5.4xlarge",
            "price_outlier",
            "the price (per instance-hour, per chip-hour: 1200.0, ) is over 20 times the "
            "median per chip-hour of the same source, day, chip and pricing: a "
            "placeholder, not a price",
        ),
        (
            "p6-b200.48xlarge",
            "duplicate_observation",
            "the same source, day, provider, region, zone, instance type and pricing appears twice",
        ),
        ("x9.48xlarge", "unmapped_accelerator", "accelerator 'X9000' has no canonical chip in data/accelerators.csv"),
    ]
    assert pipeline.query(
        "select instance_type, pricing, usd_per_chip_hour from chip_prices where source = 'skypilot' order by all"
    ) == [
        ("p5.48xlarge", "on_demand", 6.88),
        ("p5.48xlarge", "spot", 20.1 / 8),
        ("p5.4xlarge", "on_demand", 6.88),
        ("p6-b200.48xlarge", "on_demand", 113.9328 / 8),
    ]


def test_aiinfra_settings_reach_the_price_sources():
    from pipelines.resources import build_resources

    settings = build_resources(
        {
            "AIINFRA_PRICE_SOURCES": "skypilot, azure,aws",
            "AIINFRA_SKYPILOT_URL": "http://127.0.0.1:9/catalogs",
            "AIINFRA_SKYPILOT_CLOUDS": "aws,gcp",
            "AIINFRA_AZURE_URL": "http://127.0.0.1:9",
            "AIINFRA_AWS_URL": "http://127.0.0.1:9/mirror",
            "AIINFRA_AWS_REGIONS": "eu-west-1",
        }
    )["settings"]
    assert (
        settings.price_sources,
        settings.skypilot_url,
        settings.skypilot_clouds,
        settings.azure_url,
        settings.aws_url,
        settings.aws_regions,
    ) == (
        ["skypilot", "azure", "aws"],
        "http://127.0.0.1:9/catalogs",
        ["aws", "gcp"],
        "http://127.0.0.1:9",
        "http://127.0.0.1:9/mirror",
        ["eu-west-1"],
    )
    defaults = build_resources({})["settings"]
    assert defaults.price_sources == ["snapshot"] and defaults.aws_regions == ["us-east-1", "us-west-2"]
    assert defaults.skypilot_clouds == ["aws", "gcp", "azure", "lambda", "runpod", "nebius", "oci", "vast", "shadeform"]


DATED_PRICES = """observed_on,provider,region,instance_type,chip,chips_per_instance,pricing,usd_per_instance_hour,usd_per_chip_hour,source_url,source_quote,observed_on_precision,source_revision,note
2025-05-01,aws,us-east-1,p5.48xlarge,H100,8,on_demand,98.32,,https://example.org/p5,q,,,
2025-05-01,aws,us-east-1,p5.48xlarge,H100,8,on_demand,98.32,,https://example.org/p5,q,,,
2025-05-02,aws,us-east-1,p5.48xlarge,H100,8,on_demand,,12.0,https://example.org/p5,q,,,
2025-05-02,aws,us-west-2,p5.48xlarge,H100,8,on_demand,,12.5,https://example.org/p5,q,,,
2025-05-02,aws,eu-west-1,p5.48xlarge,H100,8,on_demand,,11.5,https://example.org/p5,q,,,
2025-05-02,aws,ap-south-1,p5.48xlarge,H100,8,on_demand,,900,https://example.org/p5,q,,,
2025-05-03,gcp,us-central1,tpu-v5p-8,TPU-v5p,4,on_demand,,4.2,https://example.org/v5p,q,,,
"""  # noqa: E501 (the header line of chip_prices.csv)


@pytest.mark.parametrize("chunk_rows", [1, 250_000])
def test_prices_validated_in_chunks_of_whole_days_give_the_same_tables(tmp_path, chunk_rows):
    """AIINFRA_VALIDATE_CHUNK_ROWS bounds the rows validated at once; a chunk holds whole days, so the checks that
    compare rows of one day (duplicates; a price 20 times its peers' median: 900 against 12.25) still see them all,
    even when every day is a chunk of its own."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    (data / "chip_prices.csv").write_text(DATED_PRICES)
    pipeline = Pipeline(
        tmp_path / "warehouse", data_dir=data, price_sources=[], settings_overrides={"validate_chunk_rows": chunk_rows}
    )
    assert pipeline.run().success
    assert pipeline.query("select source_line, check_name from quarantine order by all") == [
        (3, "duplicate_observation"),
        (7, "price_outlier"),
    ]
    assert pipeline.query("select observed_on::varchar, region, usd_per_chip_hour from chip_prices order by all") == [
        ("2025-05-01", "us-east-1", 98.32 / 8),
        ("2025-05-02", "eu-west-1", 11.5),
        ("2025-05-02", "us-east-1", 12.0),
        ("2025-05-02", "us-west-2", 12.5),
        ("2025-05-03", "us-central1", 4.2),
    ]


def test_data_dir_setting_moves_every_bundled_source():
    from pipelines.assets.ingest import SOURCES
    from pipelines.resources import build_resources

    settings = build_resources({"AIINFRA_DATA_DIR": str(SMALL)})["settings"]
    assert settings.deals_source == str(SMALL / "deals.csv")
    assert {s.name: s.location(settings) for s in SOURCES} == {
        "companies": str(SMALL / "companies.csv"),
        "deals": str(SMALL / "deals.csv"),
        "deal_events": "",  # the small fixture has no deal_events.csv
        "chip_specs": str(SMALL / "chip_specs.csv"),
        "assumptions": str(SMALL / "assumptions.csv"),
        "chip_prices": str(SMALL / "chip_prices.csv"),
    }
    assert settings.bundled("accelerators.csv") == str(SMALL / "accelerators.csv")
    assert build_resources({})["settings"].data_dir == str(DATA_DIR)
