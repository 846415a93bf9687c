"""Each live price source against a real HTTP server on 127.0.0.1, in the real formats, faults included."""

import copy
import csv
import gzip
import io
import json
import logging
import socket
import time
import tracemalloc
from pathlib import Path

import pytest
from werkzeug import Request, Response

from pipelines.prices import aws, azure, skypilot
from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.http import HttpClient, SourceError
from pipelines.resources import DATA_DIR

PRICES = Path(__file__).parent / "fixtures" / "prices"
DAY = "2026-11-20"


@pytest.fixture(scope="module")
def accelerators() -> AcceleratorMap:
    return AcceleratorMap.from_csv(DATA_DIR / "accelerators.csv")


@pytest.fixture
def client() -> HttpClient:
    return HttpClient(connect_timeout_s=2, read_timeout_s=2, retries=2, backoff_factor=0)


def by_key(parsed, *keys):
    return {tuple(r[k] for k in keys): r for r in parsed.rows}


def test_a_long_download_logs_its_progress_and_every_fetch_is_recorded(httpserver, caplog):
    mb = 1024 * 1024
    httpserver.expect_request("/big").respond_with_data(b"x" * (3 * mb + 10))
    httpserver.expect_request("/small").respond_with_data(b"hello")
    big, small = httpserver.url_for("/big"), httpserver.url_for("/small")
    client = HttpClient(progress_mb=1)
    with caplog.at_level(logging.INFO, logger="dagster.builtin.http"):
        with client.stream(big) as body:
            while body.read(256 * 1024):
                pass
        assert client.get(small) == b"hello"
    said = [r.getMessage() for r in caplog.records if r.name == "dagster.builtin.http"]
    assert [m.split(" (")[0] for m in said[:3]] == [f"{big}: {n} MB so far" for n in (1, 2, 3)]
    assert said[3].startswith(f"{big}: 3.0 MB in ") and len(said) == 4  # the small body says nothing
    assert [(f.url, f.status, f.bytes_read) for f in client.take_fetched()] == [
        (big, 200, 3 * mb + 10),
        (small, 200, 5),
    ]
    assert client.take_fetched() == []


# --- SkyPilot ---------------------------------------------------------------------------------------


def test_skypilot_aws_catalog_parsed_by_header(httpserver, client, accelerators):
    httpserver.expect_request("/catalogs/v8/aws/vms.csv").respond_with_data(
        (PRICES / "skypilot_v8_aws_vms.csv").read_text(), content_type="text/csv"
    )
    parsed = skypilot.fetch(client, httpserver.url_for("/catalogs"), ["aws"], accelerators, DAY)
    rows = by_key(parsed, "instance_type", "region", "zone", "pricing")
    b200 = rows[("p6-b200.48xlarge", "us-east-1", "use1-atl2-az1", "on_demand")]
    assert (b200["chip"], b200["chips_per_instance"], b200["usd_per_instance_hour"]) == ("B200", "8", "113.9328")
    assert b200["source_url"] == httpserver.url_for("/catalogs/v8/aws/vms.csv") and b200["observed_on"] == DAY
    # p5.4xlarge in us-east-1 has a Price but no SpotPrice; p5e has only a SpotPrice
    assert ("p5.4xlarge", "us-east-1", "use1-az1", "spot") not in rows
    assert rows[("p5.4xlarge", "us-east-1", "use1-az1", "on_demand")]["chips_per_instance"] == "1"
    assert ("p5e.48xlarge", "us-east-2", "use2-az1", "on_demand") not in rows
    assert rows[("p5e.48xlarge", "us-east-2", "use2-az1", "spot")]["usd_per_instance_hour"] == "62.995700"
    assert parsed.skipped["cpu-only instance"] == 4  # a1, c1, c3, r3


def test_skypilot_gcp_accelerator_rows_tpus_and_quirks(httpserver, client, accelerators):
    httpserver.expect_request("/catalogs/v8/gcp/vms.csv").respond_with_data(
        (PRICES / "skypilot_gcp_vms.csv").read_text()
    )
    parsed = skypilot.fetch(client, httpserver.url_for("/catalogs"), ["gcp"], accelerators, DAY)
    chips = {(r["accelerator"], r["chip"], r["chips_per_instance"], r["instance_type"]) for r in parsed.rows}
    assert ("tpu-v5p-7168", "TPU-v5p", "3584", "tpu-v5p-7168") in chips  # 7168 TensorCores, 2 per chip
    assert ("A100-80GB", "A100-80GB", "8", "A100-80GB x8") in chips  # accelerator-only row, no InstanceType
    assert ("A100", "A100", "8", "A100 x8") in chips  # 40 GB by its GpuInfo
    assert parsed.skipped["untracked accelerator L4"] == 1 and parsed.skipped["untracked accelerator T4"] == 1
    # spot above on-demand is kept as stated
    tokyo = by_key(parsed, "region", "pricing")[("asia-northeast1", "spot")]
    assert tokyo["usd_per_instance_hour"] == "10.01876"


def test_skypilot_lambda_column_order(httpserver, client, accelerators):
    httpserver.expect_request("/catalogs/v8/lambda/vms.csv").respond_with_data(
        (PRICES / "skypilot_v8_lambda_vms.csv").read_text()
    )
    parsed = skypilot.fetch(client, httpserver.url_for("/catalogs"), ["lambda"], accelerators, DAY)
    h100 = by_key(parsed, "instance_type", "region", "pricing")[("gpu_1x_h100_pcie", "us-east-1", "on_demand")]
    assert (h100["chip"], h100["usd_per_instance_hour"]) == ("H100", "3.29")


def test_skypilot_row_with_a_huge_cell_is_skipped_in_little_memory(httpserver, client, accelerators):
    catalog = (PRICES / "skypilot_v8_aws_vms.csv").read_text()
    reader = csv.DictReader(io.StringIO(catalog))
    b200 = next(row for row in reader if row["InstanceType"] == "p6-b200.48xlarge")
    gpu = "{'Name': 'B200', 'Manufacturer': 'NVIDIA', 'Count': 8, 'MemoryInfo': {'SizeInMiB': 183359}}"
    huge = "{'Gpus': [" + ", ".join([gpu] * 12_000) + "], 'TotalGpuMemoryInMiB': 1466872}"  # ~1 MB
    extra = io.StringIO()
    csv.DictWriter(extra, reader.fieldnames, lineterminator="\n").writerow(
        {**b200, "GpuInfo": huge, "AvailabilityZone": "use1-huge-az1"}
    )
    httpserver.expect_ordered_request("/catalogs/v8/aws/vms.csv").respond_with_data(catalog)
    httpserver.expect_ordered_request("/catalogs/v8/aws/vms.csv").respond_with_data(catalog + extra.getvalue())
    plain = skypilot.fetch(client, httpserver.url_for("/catalogs"), ["aws"], accelerators, DAY)
    tracemalloc.start()
    try:
        parsed = skypilot.fetch(client, httpserver.url_for("/catalogs"), ["aws"], accelerators, DAY)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(huge) > 1_000_000 and peak < 32 * 1024 * 1024  # parsing the cell took ~150 MB
    assert parsed.rows == plain.rows and len(plain.rows) == 16
    assert parsed.skipped == {**plain.skipped, "a cell longer than 16384 characters": 1}


def test_skypilot_malformed_csv_is_a_clear_error(httpserver, client, accelerators):
    httpserver.expect_request("/catalogs/v8/aws/vms.csv").respond_with_data("<html>rate limited</html>\n")
    with pytest.raises(SourceError, match=r"/catalogs/v8/aws/vms.csv: not a SkyPilot vms.csv: missing column"):
        skypilot.fetch(client, httpserver.url_for("/catalogs"), ["aws"], accelerators, DAY)


# --- the HTTP client --------------------------------------------------------------------------------


def test_429_with_retry_after_then_success(httpserver, client):
    httpserver.expect_ordered_request("/x").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"})
    )
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    start = time.monotonic()
    assert client.get(httpserver.url_for("/x")) == b"ok"
    assert time.monotonic() - start >= 1.0  # it waited as told


def test_a_long_retry_after_is_capped(httpserver):
    httpserver.expect_ordered_request("/x").respond_with_response(
        Response("come back in an hour", status=429, headers={"Retry-After": "3600"})
    )
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    start = time.monotonic()
    assert HttpClient(max_retry_after_s=1, backoff_factor=0).get(httpserver.url_for("/x")) == b"ok"
    assert 1.0 <= time.monotonic() - start < 10


def test_503_then_success(httpserver, client):
    httpserver.expect_ordered_request("/x").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    assert client.get(httpserver.url_for("/x")) == b"ok"


def test_persistent_5xx_names_the_url_and_status(httpserver, client):
    httpserver.expect_request("/x").respond_with_data("down", status=502)
    with pytest.raises(SourceError, match=r"127\.0\.0\.1:\d+/x: HTTP 502 BAD GATEWAY after 2 retries$"):
        client.get(httpserver.url_for("/x"))


def test_truncated_body_is_an_error(httpserver, client):
    def truncated(request: Request) -> Response:
        response = Response(b"InstanceType,AcceleratorName\np5", content_type="text/csv")
        response.headers["Content-Length"] = "5000"  # promises more than it sends
        return response

    httpserver.expect_request("/x").respond_with_handler(truncated)
    with pytest.raises(SourceError, match="x: .*(failed mid-body|request failed)"):
        client.get(httpserver.url_for("/x"))


def test_body_over_the_cap_is_refused(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * (2 * 1024 * 1024))
    with pytest.raises(SourceError, match="larger than the 1 MB cap"):
        HttpClient(max_body_mb=1, backoff_factor=0).get(httpserver.url_for("/big"))

    def chunked(request: Request) -> Response:  # no Content-Length: the cap is enforced while reading
        return Response((b"x" * 65536 for _ in range(40)), direct_passthrough=True)

    httpserver.expect_request("/stream").respond_with_handler(chunked)
    with pytest.raises(SourceError, match="larger than the 1 MB cap"):
        HttpClient(max_body_mb=1, backoff_factor=0).get(httpserver.url_for("/stream"))


def test_timeout_is_an_error_after_retries(httpserver):
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(SourceError, match=r"/slow: request failed after 1 retry .*[Tt]imed? ?out"):
        HttpClient(read_timeout_s=0.5, retries=1, backoff_factor=0).get(httpserver.url_for("/slow"))


def test_retry_counts_are_the_retries_made(httpserver):
    with socket.socket() as closed:  # bound but not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        with pytest.raises(SourceError, match=r"/x: request failed after 2 retries \(.*[Cc]onnection refused"):
            HttpClient(retries=2, backoff_factor=0).get(f"http://127.0.0.1:{closed.getsockname()[1]}/x")
    # a redirect loop is not retried: requests gives up after 30 redirects
    httpserver.expect_request("/loop").respond_with_response(Response(status=302, headers={"Location": "/loop"}))
    with pytest.raises(SourceError) as error:
        HttpClient(retries=2, backoff_factor=0).get(httpserver.url_for("/loop"))
    assert str(error.value) == f"{httpserver.url_for('/loop')}: request failed (Exceeded 30 redirects.)"


def drip(request: Request) -> Response:
    """A byte every 0.2 s: every read gets something within any read timeout, the body never ends."""

    def body():
        for _ in range(150):  # 30 s: forever, against a 2 s deadline
            time.sleep(0.2)
            yield b"x"

    return Response(body(), direct_passthrough=True)


def read_stream(client: HttpClient, url: str) -> int:
    """Reads a stream as the AWS parser does, in 64 KiB reads; the bytes read."""
    with client.stream(url) as body:
        return sum(len(chunk) for chunk in iter(lambda: body.read(65536), b""))


def test_a_drip_fed_body_is_cut_off_at_the_deadline(httpserver):
    httpserver.expect_request("/drip").respond_with_handler(drip)
    client = HttpClient(read_timeout_s=1, deadline_s=2, retries=2, backoff_factor=0)
    for fetch in (client.get, lambda url: read_stream(client, url)):
        start = time.monotonic()
        with pytest.raises(
            SourceError,
            match=r"/drip: timed out at 2\.\d s: a fetch, retries and body included, "
            r"may take at most 2 s \(AIINFRA_HTTP_DEADLINE_S\)$",
        ):
            fetch(httpserver.url_for("/drip"))
        assert 2.0 <= time.monotonic() - start < 2.5


def test_a_body_that_stalls_is_cut_off_at_the_deadline(httpserver):
    def stall(request: Request) -> Response:
        def body():
            for _ in range(4):  # 0.8 s of bytes, then silence past the deadline
                time.sleep(0.2)
                yield b"x"
            time.sleep(2)
            yield b"x"

        return Response(body(), direct_passthrough=True)

    httpserver.expect_request("/stall").respond_with_handler(stall)
    start = time.monotonic()
    with pytest.raises(SourceError, match=r"/stall: timed out at 1\.\d s: .*at most 1.5 s \(AIINFRA_HTTP_DEADLINE_S\)"):
        HttpClient(read_timeout_s=10, deadline_s=1.5).get(httpserver.url_for("/stall"))
    assert 1.5 <= time.monotonic() - start < 2.0  # the wait for more bytes ends at the deadline


def test_a_server_that_never_answers_is_given_up_at_the_deadline():
    with socket.socket() as silent:  # listening: the kernel accepts connections, nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        start = time.monotonic()
        with pytest.raises(SourceError, match=r"/prices.csv: timed out at 2\.\d s after 1 retry: .*at most 2 s"):
            HttpClient(read_timeout_s=1.5, deadline_s=2, retries=5, backoff_factor=0).get(
                f"http://127.0.0.1:{silent.getsockname()[1]}/prices.csv"
            )
        assert 2.0 <= time.monotonic() - start < 2.5  # not six attempts of 1.5 s each


def test_retry_waits_end_at_the_deadline(httpserver):
    httpserver.expect_request("/x").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "60"})
    )
    start = time.monotonic()
    with pytest.raises(SourceError, match=r"/x: timed out at 2\.\d s after 1 retry: .*AIINFRA_HTTP_DEADLINE_S"):
        HttpClient(deadline_s=2, backoff_factor=0).get(httpserver.url_for("/x"))
    assert 2.0 <= time.monotonic() - start < 2.5  # not four waits of 60 s (capped at 120 s)


def test_gzip_bodies_are_decoded_and_capped_as_decoded(httpserver):
    def gzipped(data: bytes) -> Response:
        return Response(gzip.compress(data), headers={"Content-Encoding": "gzip"})

    httpserver.expect_request("/small").respond_with_response(gzipped(b"InstanceType,Price\np5.48xlarge,55.04\n"))
    assert HttpClient().get(httpserver.url_for("/small")) == b"InstanceType,Price\np5.48xlarge,55.04\n"
    httpserver.expect_request("/bomb").respond_with_response(gzipped(bytes(64 * 1024 * 1024)))  # ~64 KB sent
    with pytest.raises(SourceError, match="/bomb: response is larger than the 1 MB cap"):
        HttpClient(max_body_mb=1).get(httpserver.url_for("/bomb"))


def test_user_agent_and_scheme(httpserver, client):
    httpserver.expect_request("/ua", headers={"User-Agent": client.user_agent}).respond_with_data("ok")
    assert client.get(httpserver.url_for("/ua")) == b"ok"
    with pytest.raises(SourceError, match="only http"):
        client.get("ftp://127.0.0.1/prices.csv")


# --- Azure Retail Prices ----------------------------------------------------------------------------

TEMPLATE = json.loads((PRICES / "azure_page.json").read_text())["Items"][1]  # a Linux consumption item


def azure_item(
    sku: str, region: str, price: float, product: str, sku_name: str, kind: str = "Consumption", term: str | None = None
) -> dict:
    item = copy.deepcopy(TEMPLATE)
    item.update(
        armSkuName=sku,
        armRegionName=region,
        retailPrice=price,
        unitPrice=price,
        productName=product,
        skuName=sku_name,
        type=kind,
        meterName=sku_name.replace(" ", ""),
    )
    item.pop("savingsPlan", None)
    if term:
        item["reservationTerm"] = term
    return item


def azure_page(items: list[dict], next_link: str | None) -> dict:
    return {
        "BillingCurrency": "USD",
        "CustomerEntityId": "Default",
        "CustomerEntityType": "Retail",
        "Items": items,
        "NextPageLink": next_link,
        "Count": len(items),
    }


H100 = "Standard_ND96isr_H100_v5"
PRODUCT = "Virtual Machines NDisrH100v5 Series"
REAL_LINK = (
    "https://prices.azure.com:443/api/retail/prices?api-version=2023-01-01-preview"
    "&$filter=serviceName%20eq%20%27Virtual%20Machines%27&$skip={}"
)


def serve_azure_pages(httpserver, pages: list[dict]) -> None:
    def handler(request: Request) -> Response:
        index = int(request.args.get("$skip", "0")) // 100
        return Response(json.dumps(pages[index]), content_type="application/json")

    httpserver.expect_request("/api/retail/prices").respond_with_handler(handler)


def test_azure_pages_followed_on_the_configured_base_and_rows_classified(httpserver, client, accelerators):
    serve_azure_pages(
        httpserver,
        [
            azure_page(
                [
                    azure_item(H100, "eastus", 98.32, PRODUCT, "ND96isr H100 v5"),
                    azure_item(H100, "eastus", 102.736, PRODUCT + " Windows", "ND96isr H100 v5"),
                ],
                REAL_LINK.format(100),
            ),
            azure_page(
                [
                    azure_item(H100, "eastus", 18.169536, PRODUCT, "ND96isr H100 v5 Spot"),
                    azure_item(H100, "eastus", 41.094, PRODUCT + " Windows", "ND96isr H100 v5 Low Priority"),
                    azure_item(H100, "eastus", 98.32, PRODUCT, "ND96isr H100 v5", kind="DevTestConsumption"),
                ],
                REAL_LINK.format(200),
            ),
            azure_page(
                [
                    azure_item(H100, "eastus", 525600.0, PRODUCT, "ND96isr H100 v5", "Reservation", "1 Year"),
                    azure_item(H100, "eastus", 1051200.0, PRODUCT, "ND96isr H100 v5", "Reservation", "3 Years"),
                ],
                None,
            ),
        ],
    )
    parsed = azure.fetch(client, httpserver.url_for(""), accelerators, DAY)
    prices = {(r["pricing"], r["usd_per_instance_hour"]) for r in parsed.rows}
    assert prices == {
        ("on_demand", "98.32"),
        ("spot", "18.169536"),
        ("reserved_1y", "60.0"),
        ("reserved_3y", "40.0"),
    }  # 525600 / 8760 and 1051200 / 26280
    assert {(r["chip"], r["chips_per_instance"], r["region"]) for r in parsed.rows} == {("H100", "8", "eastus")}
    assert parsed.skipped == {"windows": 2, "price type DevTestConsumption": 1}
    first = httpserver.log[0][0]
    assert "armSkuName eq 'Standard_ND96isr_H100_v5'" in first.args["$filter"]
    assert first.args["api-version"] == azure.API_VERSION and len(httpserver.log) == 3


def test_azure_items_that_are_not_objects_are_skipped(httpserver, client, accelerators):
    page = json.loads((PRICES / "azure_page.json").read_text())
    page["Items"][2:2] = [
        "Standard_ND96isr_H100_v5",
        98.32,
        None,
        ["eastus"],
        True,
        {"productName": None, "skuName": None, "type": "DevTestConsumption"},
    ]  # null names
    page["NextPageLink"] = None
    serve_azure_pages(httpserver, [page])
    parsed = azure.fetch(client, httpserver.url_for(""), accelerators, DAY)
    assert parsed.skipped == {"item not a JSON object": 5, "cloud services": 1, "price type DevTestConsumption": 1}
    assert [(r["instance_type"], r["region"], r["pricing"], r["usd_per_instance_hour"]) for r in parsed.rows] == [
        ("Standard_B16als_v2", "australiacentral", "on_demand", "0.673"),
        ("Standard_B16als_v2", "australiacentral", "reserved_1y", repr(3478.0 / 8760)),
        ("Standard_B1s", "eastus", "on_demand", "0.0104"),
    ]


def test_azure_stops_on_an_empty_page(httpserver, client, accelerators):
    serve_azure_pages(
        httpserver,
        [
            azure_page([azure_item(H100, "eastus", 98.32, PRODUCT, "ND96isr H100 v5")], REAL_LINK.format(100)),
            azure_page([], REAL_LINK.format(200)),  # the 2023 incident: a link, but no items
        ],
    )
    assert len(azure.fetch(client, httpserver.url_for(""), accelerators, DAY).rows) == 1
    assert len(httpserver.log) == 2


def test_azure_next_page_loop_is_refused(httpserver, client, accelerators):
    serve_azure_pages(
        httpserver,
        [
            azure_page([azure_item(H100, "eastus", 98.32, PRODUCT, "ND96isr H100 v5")], REAL_LINK.format(100)),
            azure_page([azure_item(H100, "westus3", 99.0, PRODUCT, "ND96isr H100 v5")], REAL_LINK.format(100)),
        ],
    )
    with pytest.raises(SourceError, match=r"skip=100: NextPageLink points back to a page already read"):
        azure.fetch(client, httpserver.url_for(""), accelerators, DAY)


def test_azure_malformed_json_is_a_clear_error(httpserver, client, accelerators):
    httpserver.expect_request("/api/retail/prices").respond_with_data('{"Items": [{"retailPrice": 98.3')
    with pytest.raises(SourceError, match="/api/retail/prices: not valid JSON"):
        azure.fetch(client, httpserver.url_for(""), accelerators, DAY)


# --- AWS Price List ---------------------------------------------------------------------------------


def aws_offer(instance: str, on_demand: str) -> bytes:
    """The real us-east-2 sample with its p3 product turned into `instance` on Linux."""
    offer = json.loads((PRICES / "aws_offer_us-east-2.json").read_text())
    attributes = offer["products"]["9ZEEN7WWWQKAG292"]["attributes"]
    attributes.update(instanceType=instance, operatingSystem="Linux", gpu="8")
    dimension = next(iter(offer["terms"]["OnDemand"]["9ZEEN7WWWQKAG292"].values()))["priceDimensions"]
    next(iter(dimension.values()))["pricePerUnit"]["USD"] = on_demand
    return json.dumps(offer, indent=2, separators=(",", " : ")).encode()


def serve_aws(httpserver, regions: dict[str, bytes | None]) -> None:
    index = {
        "formatVersion": "v1.0",
        "publicationDate": "2026-11-20T00:00:00Z",
        "regions": {
            r: {"regionCode": r, "currentVersionUrl": f"/offers/v1.0/aws/AmazonEC2/20261120000000/{r}/index.json"}
            for r in regions
        },
    }
    httpserver.expect_request(aws.REGION_INDEX).respond_with_json(index)
    for region, body in regions.items():
        path = f"/offers/v1.0/aws/AmazonEC2/20261120000000/{region}/index.json"
        if body is None:
            httpserver.expect_request(path).respond_with_data("<Error><Code>NoSuchKey</Code></Error>", status=404)
        else:
            httpserver.expect_request(path).respond_with_data(body, content_type="application/json")


def test_aws_offer_streamed_and_filtered(httpserver, client, accelerators):
    serve_aws(httpserver, {"us-east-2": aws_offer("p5.48xlarge", "55.0440000000")})
    parsed = aws.fetch(client, httpserver.url_for(""), ["us-east-2"], accelerators, DAY)
    assert [
        (r["instance_type"], r["chip"], r["chips_per_instance"], r["pricing"], r["usd_per_instance_hour"])
        for r in parsed.rows
    ] == [("p5.48xlarge", "H100", "8", "on_demand", "55.0440000000")]
    assert parsed.skipped["not a Linux, shared, used accelerator instance"] == 2  # m5.large and a storage SKU


def test_aws_offer_file_must_stay_on_the_configured_host(httpserver, client, accelerators):
    port = httpserver.port
    offer_path = "/offers/v1.0/aws/AmazonEC2/20261120000000/us-east-2/index.json"
    for ref in (
        f"http://evil.example{offer_path}",
        f"//evil.example{offer_path}",
        f"https://127.0.0.1:{port}{offer_path}",
        f"http://127.0.0.1:{port + 1}{offer_path}",
        f"http://evil.example\\@127.0.0.1:{port}{offer_path}",
    ):  # urllib.parse would say 127.0.0.1
        index = {"regions": {"us-east-2": {"regionCode": "us-east-2", "currentVersionUrl": ref}}}
        httpserver.clear()
        httpserver.expect_request(aws.REGION_INDEX).respond_with_json(index)
        with pytest.raises(SourceError) as error:
            aws.fetch(client, httpserver.url_for(""), ["us-east-2"], accelerators, DAY)
        assert str(error.value).startswith(
            f"{httpserver.url_for(aws.REGION_INDEX)}: region 'us-east-2': "
            f"currentVersionUrl {ref!r} leaves the configured host"
        )
        assert [request.path for request, _ in httpserver.log] == [aws.REGION_INDEX]
    # an absolute URL on the configured host is followed
    httpserver.clear()
    index = {"regions": {"us-east-2": {"currentVersionUrl": f"http://127.0.0.1:{port}{offer_path}"}}}
    httpserver.expect_request(aws.REGION_INDEX).respond_with_json(index)
    httpserver.expect_request(offer_path).respond_with_data(aws_offer("p5.48xlarge", "55.0440000000"))
    parsed = aws.fetch(client, httpserver.url_for(""), ["us-east-2"], accelerators, DAY)
    assert [(r["instance_type"], r["usd_per_instance_hour"], r["source_url"]) for r in parsed.rows] == [
        ("p5.48xlarge", "55.0440000000", f"http://127.0.0.1:{port}{offer_path}")
    ]


def test_aws_missing_region_is_a_clear_error(httpserver, client, accelerators):
    serve_aws(httpserver, {"us-east-2": aws_offer("p5.48xlarge", "55.0440000000"), "us-west-2": None})
    with pytest.raises(SourceError, match="region_index.json: region 'eu-central-1' is not in the region index"):
        aws.fetch(client, httpserver.url_for(""), ["eu-central-1"], accelerators, DAY)
    with pytest.raises(SourceError, match="us-west-2/index.json: HTTP 404"):
        aws.fetch(client, httpserver.url_for(""), ["us-west-2"], accelerators, DAY)


def test_aws_truncated_offer_file_is_an_error(httpserver, client, accelerators):
    serve_aws(httpserver, {"us-east-2": aws_offer("p5.48xlarge", "55.0440000000")[:3000]})
    with pytest.raises(SourceError, match="us-east-2/index.json: not valid JSON"):
        aws.fetch(client, httpserver.url_for(""), ["us-east-2"], accelerators, DAY)


def test_a_snapshot_recording_without_its_provenance_is_refused(tmp_path, accelerators):
    from pipelines.prices import snapshot

    manifest = json.loads((DATA_DIR / "price_snapshots" / "manifest.json").read_text())
    recording = {k: v for k, v in manifest["recordings"][0].items() if k != "source_revision"}
    (tmp_path / "skypilot" / recording["cloud"]).mkdir(parents=True)
    (tmp_path / recording["file"]).write_text((DATA_DIR / "price_snapshots" / recording["file"]).read_text())
    (tmp_path / "manifest.json").write_text(json.dumps({"recordings": [recording]}))
    with pytest.raises(SourceError, match="lacks source_revision"):
        snapshot.read(tmp_path, accelerators)
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "recordings": [
                    {
                        **recording,
                        "source_revision": "abc123",
                        "observed_on_precision": "approximate",
                        "note": "a bound",
                    }
                ]
            }
        )
    )
    rows = snapshot.read(tmp_path, accelerators).rows
    assert rows and all(
        r["source_revision"] == "abc123"
        and r["observed_on_precision"] == "approximate"
        and r["source_url"] == recording["source_url"]
        and "a bound" in r["note"]
        for r in rows
    )
