"""The price sources, by name: what each reads and how it fetches one day's observations.

Adding a source is its parser module plus one entry in PRICE_SOURCES. From the entry follow its daily asset
`<name>_prices` (pipelines/assets/prices.py) and the raw table of the same name, their
validation and quarantine with every other source's (clean_price_observations), the name AIINFRA_PRICE_SOURCES
accepts, and the asset's description in the UI. build_defs takes the registry as an argument, so a test can
add a source of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.prices import aws, azure, skypilot, snapshot
from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.http import HttpClient
from pipelines.prices.observations import Parsed

if TYPE_CHECKING:  # resources imports this module for the names
    from pipelines.resources import PipelineSettings


@dataclass(frozen=True)
class PriceSource:
    name: str  # the asset, and the raw table it writes, are <name>_prices
    description: str
    # (settings, HTTP client, accelerator map, the run's day) -> that day's observations; SourceError if it fails
    fetch: Callable[["PipelineSettings", HttpClient, AcceleratorMap, str], Parsed]


PRICE_SOURCES = {
    source.name: source
    for source in [
        PriceSource(
            "snapshot",
            "Bundled recordings (data/price_snapshots): verbatim SkyPilot catalog lines at known commits, read with "
            "the live parser; rows carry each recording's URL, commit and date (manifest.json), not the run's.",
            lambda s, http, acc, day: snapshot.read(Path(s.data_dir) / "price_snapshots", acc),
        ),
        PriceSource(
            "skypilot",
            "SkyPilot catalog vms.csv for each cloud in AIINFRA_SKYPILOT_CLOUDS, from AIINFRA_SKYPILOT_URL.",
            lambda s, http, acc, day: skypilot.fetch(http, s.skypilot_url, s.skypilot_clouds, acc, day),
        ),
        PriceSource(
            "azure",
            "Azure Retail Prices API pages for the GPU VM SKUs in data/accelerators.csv, from AIINFRA_AZURE_URL.",
            lambda s, http, acc, day: azure.fetch(http, s.azure_url, acc, day),
        ),
        PriceSource(
            "aws",
            "AWS Price List EC2 offer files for AIINFRA_AWS_REGIONS, streamed from AIINFRA_AWS_URL.",
            lambda s, http, acc, day: aws.fetch(http, s.aws_url, s.aws_regions, acc, day),
        ),
    ]
}
