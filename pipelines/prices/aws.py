"""AWS Price List bulk files: `<base>/offers/v1.0/aws/AmazonEC2/current/region_index.json`, then each
region's offer file (~480 MB for us-east-1), parsed while it streams, never loaded whole.

Kept: accelerator instance families, Linux, Shared tenancy, capacitystatus Used, no pre-installed
software; on-demand and the 1- and 3-year No Upfront standard reservations, all hourly.
"""

import json
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import ijson
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from pipelines.prices.accelerators import AcceleratorMap, chip_count
from pipelines.prices.observations import Parsed, SourceError

if TYPE_CHECKING:  # the parsers need no Dagster; only fetch() is handed the client
    from pipelines.prices.http import HttpClient

DEFAULT_URL = "https://pricing.us-east-1.amazonaws.com"
REGION_INDEX = "/offers/v1.0/aws/AmazonEC2/current/region_index.json"
ACCELERATOR_FAMILIES = ("GPU instance", "Machine Learning ASIC Instances")
CANONICAL = {"operatingSystem": "Linux", "tenancy": "Shared", "capacitystatus": "Used", "preInstalledSw": "NA"}
ATTRIBUTES = ("instanceType", "instanceFamily", "gpu", "regionCode", *CANONICAL)
RESERVED = {("1yr", "No Upfront", "standard"): "reserved_1y", ("3yr", "No Upfront", "standard"): "reserved_3y"}


def parse_region_index(body: bytes, url: str) -> dict[str, str]:
    """region -> path (or URL) of its current offer file."""
    try:
        regions = json.loads(body)["regions"]
        offers = {region: entry["currentVersionUrl"] for region, entry in regions.items()}
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as err:
        raise SourceError(url, f"not an AWS region index ({err!r})") from err
    if not all(isinstance(ref, str) for ref in offers.values()):
        raise SourceError(url, "not an AWS region index (a currentVersionUrl is not a string)")
    return offers


def _origin(url: str) -> tuple:
    """Scheme, host and port, read by the parser requests itself uses (urllib.parse reads
    `http://a\\@b/` as host b, requests fetches from a)."""
    parts = parse_url(url)
    return parts.scheme, parts.host, parts.port or {"http": 80, "https": 443}.get(parts.scheme or "")


def offer_url(base: str, index_url: str, region: str, ref: str) -> str:
    """The URL of a region's offer file from its currentVersionUrl. AWS gives a path from the host
    root, which goes under the configured base like the index itself; anything else is resolved
    against the index's URL. The index may not send the fetch to another scheme, host or port."""
    is_path = ref.startswith("/") and not ref.startswith("//")
    url = f"{base.rstrip('/')}{ref}" if is_path else urljoin(index_url, ref)
    try:
        same_host = _origin(url) == _origin(base)
    except LocationParseError:  # e.g. a port out of range
        same_host = False
    if not same_host:
        raise SourceError(
            index_url,
            f"region {region!r}: currentVersionUrl {ref!r} leaves the configured host {base} (it resolves to {url})",
        )
    return url


def _keep(attributes: dict) -> bool:
    return attributes.get("instanceFamily") in ACCELERATOR_FAMILIES and all(
        attributes.get(k) == v for k, v in CANONICAL.items()
    )


def parse_offer(stream, url: str, accelerators: AcceleratorMap, source: str, observed_on: str) -> Parsed:
    """One pass over the JSON events: products come before terms in the file, so the products to
    keep are known when their prices arrive. Only the kept products and one term at a time are
    ever held in memory. (Term keys contain dots, e.g. "SKU.JRTCKXETXF", so terms are assembled
    with an ObjectBuilder rather than by splitting event prefixes.)"""
    parsed, products = Parsed(), {}
    sku = attributes = None
    version = None  # the offer file's own version (it precedes the products), e.g. 20260601184517
    term_type = term_prefix = ""  # of the term being assembled, while builder is not None
    builder = None
    attribute_suffixes = tuple(f".attributes.{a}" for a in ATTRIBUTES)
    try:
        for prefix, event, value in ijson.parse(stream, use_float=False):
            if prefix == "version" and event == "string":
                version = value
            elif prefix.startswith("products"):
                if prefix == "products" and event == "map_key":
                    sku, attributes = value, {}
                elif event == "string" and prefix.endswith(attribute_suffixes):
                    attributes[prefix.rsplit(".", 1)[1]] = value
                elif event == "end_map" and prefix == f"products.{sku}":
                    if _keep(attributes):
                        products[sku] = attributes
                    else:
                        parsed.skipped["not a Linux, shared, used accelerator instance"] += 1
            elif event == "map_key" and prefix in ("terms.OnDemand", "terms.Reserved"):
                term_type, term_prefix = prefix.split(".")[1], f"{prefix}.{value}"
                builder = ijson.ObjectBuilder() if value in products else None
            elif builder is not None and prefix.startswith(term_prefix):
                builder.event(event, value)
                if event == "end_map" and prefix == term_prefix:
                    for offer in builder.value.values():
                        _add_offer(parsed, term_type, offer, products, url, accelerators, source, observed_on, version)
                    builder = None
    except ijson.JSONError as err:
        raise SourceError(url, f"not valid JSON ({err})") from err
    return parsed


def _add_offer(
    parsed: Parsed,
    term_type: str,
    offer: dict,
    products: dict,
    url: str,
    accelerators: AcceleratorMap,
    source: str,
    observed_on: str,
    version: str | None,
) -> None:
    pricing: str | None = "on_demand"
    if term_type != "OnDemand":
        terms = offer.get("termAttributes", {})
        pricing = RESERVED.get(
            (terms.get("LeaseContractLength"), terms.get("PurchaseOption"), terms.get("OfferingClass"))
        )
        if pricing is None:
            parsed.skipped["reservation other than 1yr/3yr No Upfront standard"] += 1
            return
    attributes = products[offer["sku"]]
    instance = attributes.get("instanceType", "")
    mapping = accelerators.by_instance(instance)
    if mapping is not None and mapping.chip is None:
        parsed.skipped[f"untracked accelerator {instance}"] += 1
        return
    for dimension in offer.get("priceDimensions", {}).values():
        if dimension.get("unit") != "Hrs":  # upfront fees are not hourly prices
            continue
        usd = dimension.get("pricePerUnit", {}).get("USD")
        parsed.add(
            source=source,
            observed_on=observed_on,
            provider="aws",
            region=attributes.get("regionCode"),
            instance_type=instance,
            accelerator=instance,
            chip=mapping.chip if mapping else None,
            chips_per_instance=chip_count(mapping, instance, attributes.get("gpu")),
            pricing=pricing,
            usd_per_instance_hour=usd,
            source_url=url,
            source_revision=f"offer version {version}" if version else None,
            source_quote=f"{dimension.get('rateCode')}: {usd} USD per Hrs ({dimension.get('description')})",
        )


def fetch(
    client: "HttpClient", base: str, regions: list[str], accelerators: AcceleratorMap, observed_on: str
) -> Parsed:
    index_url = f"{base.rstrip('/')}{REGION_INDEX}"
    offers = parse_region_index(client.get(index_url), index_url)
    parsed = Parsed()
    for region in regions:
        if region not in offers:
            raise SourceError(index_url, f"region {region!r} is not in the region index")
        url = offer_url(base, index_url, region, offers[region])
        with client.stream(url) as body:
            parsed.extend(parse_offer(body, url, accelerators, "aws", observed_on))
    return parsed.stamp(observed_on_precision="day")
