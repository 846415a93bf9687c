"""Azure Retail Prices API: `<base>/api/retail/prices`, paged JSON, no auth.

Linux consumption rows are on-demand, `… Spot` SKUs spot, and reservations (whose retailPrice is
the total for the whole term, though unitOfMeasure says "1 Hour") become hourly reserved_1y and
reserved_3y. Windows, Low Priority, DevTest and Cloud Services rows are left out. GPU counts are not
in this API: they come from data/accelerators.csv, keyed by armSkuName.
"""

import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.observations import Parsed, SourceError

if TYPE_CHECKING:  # the parsers need no Dagster; only fetch() is handed the client
    from pipelines.prices.http import HttpClient

DEFAULT_URL = "https://prices.azure.com"
API_PATH = "/api/retail/prices"
API_VERSION = "2023-01-01-preview"
HOURS = {"1 Year": ("reserved_1y", 8760), "3 Years": ("reserved_3y", 3 * 8760)}
MAX_PAGES = 1000


def price_filter(accelerators: AcceleratorMap) -> str:
    skus = " or ".join(f"armSkuName eq '{sku}'" for sku in accelerators.instance_patterns("Standard_"))
    return f"serviceName eq 'Virtual Machines' and ({skus})"


def parse_page(body: bytes, url: str) -> tuple[list, str | None]:
    try:
        page = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SourceError(url, f"not valid JSON ({err})") from err
    if not isinstance(page, dict) or not isinstance(page.get("Items"), list):
        raise SourceError(url, "not a Retail Prices page: no Items list")
    return page["Items"], page.get("NextPageLink") or None


def left_out(item: dict) -> str | None:
    """Why an item is not a price this project records, or None to keep it."""
    product, sku = str(item.get("productName") or ""), str(item.get("skuName") or "")  # null in a bad page
    if product.endswith((" Windows", " Win")):
        return "windows"
    if "Cloud Services" in product or "CloudServices" in product:
        return "cloud services"
    if "Low Priority" in sku:
        return "low priority"
    if item.get("type") not in ("Consumption", "Reservation"):
        return f"price type {item.get('type')}"
    return None


def parse_items(items: list, url: str, accelerators: AcceleratorMap, source: str, observed_on: str) -> Parsed:
    parsed = Parsed()
    for item in items:
        if not isinstance(item, dict):
            parsed.skipped["item not a JSON object"] += 1
            continue
        reason = left_out(item)
        if reason:
            parsed.skipped[reason] += 1
            continue
        sku = str(item.get("armSkuName", "")).strip()
        mapping = accelerators.by_instance(sku)
        if mapping is not None and mapping.chip is None:
            parsed.skipped[f"untracked accelerator {sku}"] += 1
            continue
        price = item.get("retailPrice")
        if item["type"] == "Reservation":
            term = HOURS.get(item.get("reservationTerm") or "")
            if term is None:
                parsed.skipped[f"reservation term {item.get('reservationTerm')}"] += 1
                continue
            pricing, hours = term
            hourly = price / hours if isinstance(price, (int, float)) else price
        else:
            pricing = "spot" if str(item.get("skuName") or "").endswith(" Spot") else "on_demand"
            hourly = price
        parsed.add(
            source=source,
            observed_on=observed_on,
            provider="azure",
            region=item.get("armRegionName"),
            instance_type=sku,
            accelerator=sku,
            chip=mapping.chip if mapping else None,
            chips_per_instance=mapping.chips_per_instance if mapping else None,
            pricing=pricing,
            usd_per_instance_hour=hourly,
            source_url=url,
            source_revision=f"effectiveStartDate {item['effectiveStartDate']}"
            if item.get("effectiveStartDate")
            else None,
            source_quote=(
                f"meterId {item.get('meterId')}: {item.get('productName')} / {item.get('skuName')} / "
                f"{item['type']} {item.get('reservationTerm') or ''} retailPrice {price} "
                f"{item.get('currencyCode')} per {item.get('unitOfMeasure')}"
            ).replace("  ", " "),
            note="reservation: term total / hours in term" if item["type"] == "Reservation" else None,
        )
    return parsed


def on_base(link: str, base: str) -> str:
    """A NextPageLink (absolute, on the real host) moved onto the configured base URL."""
    page, root = urlsplit(link), urlsplit(base)
    return urlunsplit((root.scheme, root.netloc, root.path.rstrip("/") + page.path, page.query, ""))


def fetch(client: "HttpClient", base: str, accelerators: AcceleratorMap, observed_on: str) -> Parsed:
    first = f"{base.rstrip('/')}{API_PATH}"
    body = client.get(first, params={"api-version": API_VERSION, "$filter": price_filter(accelerators)})
    url, parsed, seen = first, Parsed(), set()
    for _ in range(MAX_PAGES):
        items, next_link = parse_page(body, url)
        parsed.extend(parse_items(items, url, accelerators, "azure", observed_on))
        if not items or not next_link:
            return parsed.stamp(observed_on_precision="day")
        url = on_base(next_link, base)
        if url in seen:
            raise SourceError(url, "NextPageLink points back to a page already read (a paging loop)")
        seen.add(url)
        body = client.get(url)
    raise SourceError(url, f"more than {MAX_PAGES} pages: refusing to page on")
