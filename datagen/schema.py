"""The data lake's tables, described once. The generator writes them, the DataLake component
creates a Glue table for each, and the services' queries name them.

No heavy imports here: the Pulumi program imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Glue/Hive type: string, bigint, int, double, boolean, date, timestamp, decimal(12,2)
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    description: str = ""
    partition_keys: tuple[Column, ...] = ()
    zone: str = "curated"  # which bucket holds it: "raw" or "curated"
    # Glue table parameters beyond classification (e.g. Athena partition projection).
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """Key prefix of the table's Parquet files in its bucket."""
        return f"{self.name}/"

    def glue_parameters(self) -> dict[str, str]:
        return {"classification": "parquet", "EXTERNAL": "TRUE", **self.parameters}


# Filled in by the dataset work (issue 3); the DataLake component creates one Glue table each.
TABLES: tuple[Table, ...] = ()
