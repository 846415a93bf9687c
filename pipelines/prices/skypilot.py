"""SkyPilot catalog CSVs: `<base>/v8/<cloud>/vms.csv`, one file per cloud, prices per instance-hour.

Quirks handled: column order differs per cloud (read by header name); counts are floats; GpuInfo
is a Python literal, not JSON; GCP prices accelerators on their own rows with no InstanceType (the
host VM is billed separately) and names TPUs by TensorCore count; trn2 rows name no accelerator;
Price or SpotPrice may be empty; prices repeat per availability zone.
"""

import ast
import io
from typing import TYPE_CHECKING

import pandas as pd

from pipelines.prices.accelerators import AcceleratorMap, chip_count
from pipelines.prices.observations import Parsed, SourceError

if TYPE_CHECKING:  # the parsers need no Dagster; only fetch() is handed the client
    from pipelines.prices.http import HttpClient

DEFAULT_URL = "https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs"
REQUIRED = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Price", "SpotPrice", "Region")
CATALOG_VERSION = "v8"
# The longest real cell, a GpuInfo literal, is ~300 characters. ast.literal_eval builds a syntax tree
# of ~130 bytes per character (a 19 MB GpuInfo once took 9.4 GB), so a row with a longer cell is
# skipped and counted: 16 KiB keeps that parse near 2 MB, and keeps the row's quote short.
MAX_CELL_CHARS = 16 * 1024


def catalog_url(base: str, cloud: str) -> str:
    return f"{base.rstrip('/')}/{CATALOG_VERSION}/{cloud}/vms.csv"


def gpu_memory_mib(gpu_info: str) -> float | None:
    """Per-GPU memory from a GpuInfo literal like "{'Gpus': [{'MemoryInfo': {'SizeInMiB': 81920}}]}"."""
    if not gpu_info.startswith("{"):
        return None  # Azure and TPU rows put a bare name here
    try:
        return float(ast.literal_eval(gpu_info)["Gpus"][0]["MemoryInfo"]["SizeInMiB"])
    except (ValueError, SyntaxError, KeyError, IndexError, TypeError):
        return None


def parse_vms_csv(
    text: str, cloud: str, url: str, accelerators: AcceleratorMap, source: str, observed_on: str
) -> Parsed:
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise SourceError(url, f"not a readable CSV ({err})") from err
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise SourceError(url, f"not a SkyPilot vms.csv: missing column(s) {', '.join(missing)}")

    parsed = Parsed()
    for line, row in enumerate(table.to_dict("records"), start=2):
        if any(len(cell) > MAX_CELL_CHARS for cell in row.values()):
            parsed.skipped[f"a cell longer than {MAX_CELL_CHARS} characters"] += 1
            continue
        name, instance = row["AcceleratorName"].strip(), row["InstanceType"].strip()
        # A known instance type says more than the accelerator name (its count is right where
        # SkyPilot's is not, e.g. 12 GPUs on ND96isr_H100_v5), so it is looked up first.
        mapping = (accelerators.by_instance(instance) if instance else None) or (
            accelerators.by_name(name) if name else None
        )
        if mapping is None and not name:
            parsed.skipped["cpu-only instance"] += 1
            continue
        if mapping is not None and mapping.chip is None:
            parsed.skipped[f"untracked accelerator {name or instance}"] += 1
            continue
        chip = mapping.chip if mapping else None
        memory = gpu_memory_mib(row.get("GpuInfo", "").strip())
        if chip == "A100" and memory and memory >= 80 * 1000:  # p4de is listed as 'A100' too
            chip = "A100-80GB"
        count = chip_count(mapping, name, row["AcceleratorCount"])
        note = None
        if not instance:  # GCP: accelerators alone (a TPU slice, or GPUs for a VM priced on its own row)
            tpu_slice = mapping is not None and mapping.cores_per_chip
            instance = name if tpu_slice or not count else f"{name} x{count}"
            note = None if tpu_slice else "accelerators only: the host VM is priced separately"
        for pricing, column in (("on_demand", "Price"), ("spot", "SpotPrice")):
            price = row[column].strip()
            if not price:
                continue
            parsed.add(
                source=source,
                observed_on=observed_on,
                provider=cloud,
                region=row["Region"].strip(),
                zone=row.get("AvailabilityZone", "").strip(),
                instance_type=instance,
                accelerator=name or instance,
                chip=chip,
                chips_per_instance=count,
                pricing=pricing,
                usd_per_instance_hour=price,
                source_url=url,
                source_quote=f"line {line}: " + ",".join(row.values()),
                note=note,
            )
    return parsed


def fetch(client: "HttpClient", base: str, clouds: list[str], accelerators: AcceleratorMap, observed_on: str) -> Parsed:
    parsed = Parsed()
    for cloud in clouds:
        url = catalog_url(base, cloud)
        body = client.get(url)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise SourceError(url, f"not UTF-8 text ({err})") from err
        parsed.extend(parse_vms_csv(text, cloud, url, accelerators, "skypilot", observed_on))
    # The catalog files name no revision of their own: what was read is the branch on that day.
    return parsed.stamp(observed_on_precision="day", source_revision=f"{base} as fetched on {observed_on}")
