"""Days of flights features for infra/airflow/drift-trigger-test.sh, from the flights data set, one of
them with its distances scaled: a drifted day that no upstream job would make on purpose.

    feature_days.py <flights parquet> <features table> <first day> <last day> --shift <day> <factor>

Writes, as a Delta table partitioned by ds, the row features of features-flights that need no history
or lookup (hour, day_of_week, month, distance, origin, destination) of each flight of first..last day,
with the view's keys (flight_id, flight_ts), as build-features would write them. Only check-features
reads the table, and it checks whichever feature columns are there. Runs on the venv-mlflow
interpreter (deltalake and pyarrow), so it starts no Spark.
"""

from __future__ import annotations

import argparse
import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import write_deltalake


def feature_days(flights: pa.Table, first: dt.date, last: dt.date, shift_day: dt.date, factor: float) -> pa.Table:
    """The features of the flights of first..last, with the distances of shift_day multiplied by factor."""
    start = pa.scalar(dt.datetime.combine(first, dt.time()), pa.timestamp("us"))
    end = pa.scalar(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()), pa.timestamp("us"))
    days = flights.filter(pc.and_(pc.greater_equal(flights["date"], start), pc.less(flights["date"], end)))
    ts = days["date"]
    ds = pc.cast(ts, pa.date32())
    shifted = pc.equal(ds, pa.scalar(shift_day, pa.date32()))
    distance = pc.if_else(
        shifted,
        pc.cast(pc.round(pc.multiply(pc.cast(days["distance"], pa.float64()), factor)), pa.int64()),
        days["distance"],
    )
    return pa.table(
        {
            "flight_id": pa.array([f"f{i}" for i in range(days.num_rows)]),
            "flight_ts": ts,
            "hour": pc.cast(pc.hour(ts), pa.int32()),
            # Spark's dayofweek: 1 = Sunday .. 7 = Saturday.
            "day_of_week": pc.cast(pc.day_of_week(ts, count_from_zero=False, week_start=7), pa.int32()),
            "month": pc.cast(pc.month(ts), pa.int32()),
            "distance": pc.cast(distance, pa.int32()),
            "origin": pc.cast(days["origin"], pa.string()),
            "destination": pc.cast(days["destination"], pa.string()),
            "_run_id": pa.array(["drift-trigger-test"] * days.num_rows),
            "ds": ds,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("flights")
    parser.add_argument("table")
    parser.add_argument("first", type=dt.date.fromisoformat)
    parser.add_argument("last", type=dt.date.fromisoformat)
    parser.add_argument("--shift", nargs=2, metavar=("DAY", "FACTOR"), required=True)
    args = parser.parse_args()
    flights = pq.read_table(args.flights, columns=["date", "distance", "origin", "destination"])
    features = feature_days(flights, args.first, args.last, dt.date.fromisoformat(args.shift[0]), float(args.shift[1]))
    write_deltalake(args.table, features, partition_by=["ds"], mode="overwrite")
    print(f"feature_days: {features.num_rows} rows of {args.first}..{args.last} in {args.table}")


if __name__ == "__main__":
    main()
