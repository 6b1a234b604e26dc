"""What lakepipe's notebooks share: the pipeline's config, its Delta tables as pandas, its MLflow runs.

The tables are read with delta-rs (no Spark), at their latest version or at the exact version a
training run recorded, through the same config resolution as the jobs (``infra/report/lakepipe_config``):
``config/local.conf`` over jobs-core's defaults unless a notebook is given another file.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from deltalake import DeltaTable

HOME = Path(os.environ.get("LAKEPIPE_HOME", Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(HOME / "infra" / "report"))

from lakepipe_config import load_config, setting, table_paths  # noqa: E402 (needs the path above)

__all__ = ["HOME", "Pipeline", "setting"]


class Pipeline:
    """One lakepipe config: its tables by name and its MLflow settings."""

    def __init__(self, config_file: str | os.PathLike[str] | None = None) -> None:
        self.config_file = Path(config_file) if config_file else HOME / "config" / "local.conf"
        self.config = load_config(self.config_file)
        self.tables = table_paths(self.config)

    def read(
        self,
        table: str,
        ds_from: str | dt.date | None = None,
        ds_to: str | dt.date | None = None,
        version: int | None = None,
        columns: list[str] | None = None,
    ) -> pd.DataFrame:
        """The rows of a declared table (by its name in lakepipe.tables), of [ds_from, ds_to] when the
        table has a ds, at ``version`` when given; an empty frame when the table does not exist yet."""
        path = self.tables[table]
        if not DeltaTable.is_deltatable(path):
            return pd.DataFrame()
        delta = DeltaTable(path, version=version)
        names = [field.name for field in delta.schema().fields]
        filters: list[tuple[str, str, Any]] = []
        if "ds" in names:
            if ds_from is not None:
                filters.append(("ds", ">=", _date(ds_from)))
            if ds_to is not None:
                filters.append(("ds", "<=", _date(ds_to)))
        return delta.to_pyarrow_table(columns=columns, filters=filters or None).to_pandas()

    def version(self, table: str) -> int | None:
        """The latest version of a declared table, or None when it does not exist."""
        path = self.tables[table]
        return DeltaTable(path).version() if DeltaTable.is_deltatable(path) else None

    @property
    def tracking_uri(self) -> str:
        return str(setting(self.config, "mlflow.tracking-uri"))

    @property
    def experiment(self) -> str:
        return str(setting(self.config, "mlflow.experiment"))

    @property
    def model_name(self) -> str:
        return str(setting(self.config, "mlflow.model-name"))


def _date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
