"""Rows a job wrote for one date, next to what its last audit row says, read back with delta-rs.

Usage: table_counts.py <lakehouse> <ds> [table folder] [audit job]
       (default bronze/flights and ingest-files:flights; the lakehouse a local path, s3a://bucket/prefix or
       hdfs://namenode:port/path, which delta-rs reads over HDFS's own protocol)
Prints "<rows of the table for ds> <status of the job's last audit row for ds> <its rows written>
<its rows read> <its rows quarantined>", or "... NONE -1 -1 -1" when the job has no audit row for ds.
Used by the cluster, S3, YARN and HDFS tests.
"""

import datetime
import os
import sys

from deltalake import DeltaTable


def storage_options(lakehouse: str) -> dict[str, str] | None:
    """s3a:// goes to the local S3 server of config/services.env (path style, plain http)."""
    if not lakehouse.startswith("s3a://"):
        return None
    options = {"AWS_REGION": os.environ.get("AWS_REGION", "us-east-1")}
    endpoint = os.environ.get("LAKEPIPE_S3_ENDPOINT", "")
    if endpoint:
        options.update(
            {"AWS_ENDPOINT_URL": endpoint, "AWS_ALLOW_HTTP": "true", "AWS_VIRTUAL_HOSTED_STYLE_REQUEST": "false"}
        )
    return options


def main(lakehouse: str, ds_text: str, table: str = "bronze/flights", job: str = "ingest-files:flights") -> None:
    ds = datetime.date.fromisoformat(ds_text)
    options = storage_options(lakehouse)
    written = DeltaTable(f"{lakehouse}/{table}", storage_options=options).to_pyarrow_table(columns=["ds"])
    rows = sum(1 for d in written.column("ds").to_pylist() if d == ds)
    audit = [
        r
        for r in DeltaTable(f"{lakehouse}/audit/job_runs", storage_options=options).to_pyarrow_table().to_pylist()
        if r["ds"] == ds and r["job"] == job
    ]
    last = audit[-1] if audit else {"status": "NONE", "rows_written": -1, "rows_read": -1, "rows_quarantined": -1}
    print(rows, last["status"], last["rows_written"], last["rows_read"], last["rows_quarantined"], flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
    os._exit(0)  # the deltalake runtime can abort while the interpreter tears down
