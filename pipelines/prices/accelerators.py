"""One canonical chip name for every accelerator spelling in every price source (data/accelerators.csv)."""

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Mapping:
    chip: str | None  # None: an accelerator this project deliberately does not track (T4, L4, ...)
    chips_per_instance: int | None  # fixed count for an instance type or SKU
    cores_per_chip: int | None  # TPU names count TensorCores, not chips, for some generations


class AcceleratorMap:
    """`by_name` matches accelerator names (scope `name`); `by_instance` matches instance types and
    Azure SKUs (scope `instance`). Patterns are case-insensitive full-match regular expressions."""

    def __init__(self, table: pd.DataFrame):
        def mapping(row) -> Mapping:
            return Mapping(
                row.chip or None,
                int(row.chips_per_instance) if row.chips_per_instance else None,
                int(row.cores_per_chip) if row.cores_per_chip else None,
            )

        table = table.fillna("")
        self._rules = {
            scope: [
                (re.compile(row.pattern, re.IGNORECASE), mapping(row))
                for row in table[table.scope == scope].itertuples()
            ]
            for scope in ("name", "instance")
        }

    @classmethod
    def from_csv(cls, path: Path | str) -> "AcceleratorMap":
        return cls(pd.read_csv(path, dtype=str, keep_default_na=False))

    def _match(self, scope: str, text: str) -> Mapping | None:
        return next((m for pattern, m in self._rules[scope] if pattern.fullmatch(text.strip())), None)

    def by_name(self, name: str) -> Mapping | None:
        return self._match("name", name)

    def by_instance(self, instance_type: str) -> Mapping | None:
        return self._match("instance", instance_type)

    def instance_patterns(self, prefix: str) -> list[str]:
        """Tracked instance patterns that are literal names starting with `prefix` (the Azure SKUs)."""
        return [
            p.pattern
            for p, m in self._rules["instance"]
            if m.chip and p.pattern.startswith(prefix) and re.escape(p.pattern) == p.pattern
        ]


def chip_count(mapping: Mapping | None, name: str, stated: str | float | None) -> int | None:
    """Chips in one instance: the table's fixed count, else a TPU name's cores / cores per chip,
    else what the source states (SkyPilot writes counts as floats, '8.0')."""
    if mapping and mapping.chips_per_instance:
        return mapping.chips_per_instance
    if mapping and mapping.cores_per_chip:
        cores = re.search(r"(\d+)$", name)
        return int(cores.group(1)) // mapping.cores_per_chip if cores else None
    try:
        return int(float(stated)) if stated not in (None, "") else None
    except ValueError:
        return None
