"""The `snapshot` price source: bundled recordings of the three live formats (data/price_snapshots),
read through the same parsers as the live sources, so a machine with no network has real-format
prices. Each recording is dated by manifest.json; its rows carry that date, not the run's."""

import json
from pathlib import Path

from pipelines.prices import aws, azure, skypilot
from pipelines.prices.accelerators import AcceleratorMap
from pipelines.prices.observations import Parsed


def read(root: Path, accelerators: AcceleratorMap) -> Parsed:
    manifest = json.loads((root / "manifest.json").read_text())
    dated = manifest["recorded_on"]
    parsed = Parsed()
    for cloud in manifest["skypilot_clouds"]:
        path = root / "skypilot" / "catalogs" / skypilot.CATALOG_VERSION / cloud / "vms.csv"
        parsed.extend(skypilot.parse_vms_csv(path.read_text(encoding="utf-8"), cloud,
                                             skypilot.catalog_url(skypilot.DEFAULT_URL, cloud), accelerators,
                                             "skypilot-snapshot", dated["skypilot"]))
    for page in manifest["azure_pages"]:
        items, _ = azure.parse_page((root / page).read_bytes(), str(root / page))
        parsed.extend(azure.parse_items(items, azure.DEFAULT_URL + azure.API_PATH, accelerators, "azure-snapshot",
                                        dated["azure"]))
    index = aws.parse_region_index((root / "aws" / aws.REGION_INDEX.lstrip("/")).read_bytes(), aws.REGION_INDEX)
    for region in manifest["aws_regions"]:
        with (root / "aws" / index[region].lstrip("/")).open("rb") as offer:
            parsed.extend(aws.parse_offer(offer, aws.DEFAULT_URL + index[region], accelerators, "aws-snapshot",
                                          dated["aws"]))
    return parsed
