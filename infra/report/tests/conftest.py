"""Two small lakehouses in a temporary folder, each with its own config, for the report tools' tests.

Tables are written with delta-rs under the default table paths of ``lakepipe.tables``, so the tools
find them through the config exactly as they find the jobs' tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from lakepipe_config import load_config, table_paths

D1, D2, D3 = dt.date(2001, 1, 13), dt.date(2001, 1, 14), dt.date(2001, 1, 15)

# The bronze flights columns as the ingest job writes them (Lineage adds the last four before ds).
BRONZE_FLIGHTS = pa.schema(
    [
        ("flight_ts", pa.timestamp("us")),
        ("delay", pa.int32()),
        ("distance", pa.int32()),
        ("origin", pa.string()),
        ("destination", pa.string()),
        ("_source", pa.string()),
        ("_source_location", pa.string()),
        ("_run_id", pa.string()),
        ("_ingested_at", pa.timestamp("us", tz="UTC")),
        ("ds", pa.date32()),
    ]
)


@dataclass(frozen=True)
class Site:
    """One lakehouse: its config file, its roots and its tables' paths."""

    config: Path
    lakehouse: Path
    landing: Path
    tables: dict[str, str]

    def write(
        self,
        table: str,
        rows: Sequence[dict] | pa.Table,
        schema: pa.Schema | None = None,
        partition_by: Sequence[str] | None = ("ds",),
    ) -> None:
        """Appends rows to the table (a new file per call), creating it partitioned by ds."""
        data = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(list(rows), schema=schema)
        write_deltalake(
            self.tables[table], data, mode="append", partition_by=list(partition_by) if partition_by else None
        )


def make_site(folder: Path) -> Site:
    lakehouse, landing = folder / "lakehouse", folder / "landing"
    lakehouse.mkdir(parents=True)
    landing.mkdir()
    config = folder / "test.conf"
    flights = Path(__file__).resolve().parents[3] / "config" / "pipelines" / "flights.conf"
    config.write_text(
        f'include file("{flights}")\n'
        f'lakepipe {{\n  lakehouse = "{lakehouse}"\n  sources.flights.location = "{landing}"\n'
        f'  export.pmml.location = "{folder / "deploy"}"\n}}\n'
    )
    return Site(config, lakehouse, landing, table_paths(load_config(config)))


@pytest.fixture
def site_a(tmp_path: Path) -> Site:
    return make_site(tmp_path / "a")


@pytest.fixture
def site_b(tmp_path: Path) -> Site:
    return make_site(tmp_path / "b")


def flight(site: Site, day: dt.date, minute: int, delay: int = 5, run: str = "run-1") -> dict:
    """A bronze flight row of ``day`` as ingested into ``site`` from its landing folder."""
    return {
        "flight_ts": dt.datetime.combine(day, dt.time(8, minute)),
        "delay": delay,
        "distance": 300 + minute,
        "origin": "SEA",
        "destination": "GEG",
        "_source": "file",
        "_source_location": f"file:{site.landing}/ds={day}/part-00000-abc.c000.csv",
        "_run_id": run,
        "_ingested_at": dt.datetime(2026, 11, 30, 9, minute, tzinfo=dt.UTC),
        "ds": day,
    }


# The audit table as AuditLog writes it: one row per job run, not partitioned.
AUDIT = pa.schema(
    [
        ("run_id", pa.string()),
        ("job", pa.string()),
        ("source", pa.string()),
        ("ds", pa.date32()),
        ("status", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_written", pa.int64()),
        ("rows_quarantined", pa.int64()),
        ("versions_read", pa.map_(pa.string(), pa.int64())),
        ("versions_written", pa.map_(pa.string(), pa.int64())),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("duration_ms", pa.int64()),
        ("message", pa.string()),
    ]
)


def audit_run(
    site: Site, job: str, day: dt.date, status: str = "SUCCEEDED", rows: int = 10, version: int = 0, run: str = "run-1"
) -> dict:
    """An audit row of a run of ``job`` for ``day`` that read bronze flights and wrote features in ``site``."""
    bronze, features = site.tables["bronze-flights"], site.tables["features-flights"]
    succeeded = status == "SUCCEEDED"
    return {
        "run_id": run,
        "job": job,
        "source": bronze if succeeded else None,
        "ds": day,
        "status": status,
        "rows_read": rows if succeeded else 0,
        "rows_written": rows if succeeded else 0,
        "rows_quarantined": 0,
        "versions_read": [(bronze, version)] if succeeded else [],
        "versions_written": [(features, version + 1)] if succeeded else [],
        "started_at": dt.datetime(2026, 11, 30, 9, version, tzinfo=dt.UTC),
        "duration_ms": 1000 + version,
        "message": f"features {features} v{version + 1}" if succeeded else "boom",
    }
