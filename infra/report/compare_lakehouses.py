"""Compare the Delta tables of two lakehouses, ds partition by ds partition.

Built for the end-to-end test that backfills dates through Airflow into one lakehouse and runs the
same dates one by one into another: both must leave the same data. For every table of
``lakepipe.tables``, each ds in [--from, --to] of the lakehouse of --config (A) is compared with that
of --other-config (B): the row count and the multiset of rows (a 64-bit hash per row), so row order
and the split into files do not count.

    python infra/report/compare_lakehouses.py --config a.conf --other-config b.conf \\
        --from 2001-01-13 --to 2001-01-15

What counts as the same (``RULES``, one entry per table, a reason beside each column):

- Columns that differ between two runs of the same date by design are left out: the job run's id
  (a new UUID per run), the wall-clock time of the write, and the daily stats' fingerprint of Delta
  file names (new random names at every write). Nothing else is left out.
- Paths under a lakehouse or landing root are compared with the root replaced by ``<lakehouse>`` or
  ``<landing>``, so the rest of the path still counts. Both configs' roots are replaced on both
  sides: a model trained on A's tables and exported by a job of B records A's tables in B's audit.
- The audit table (audit-runs) is a log, not a ds partition: every job run appends a row. A ds of it
  is compared as the multiset of its *successful* runs' job, source, row counts and the tables they
  read and wrote. Left out: run id, start time, duration, the Delta versions (which count every
  write, so they differ between a backfill and single runs) and the free-text message (which repeats
  paths, versions and the MLflow run id). Failed runs are counted but not compared: Airflow retries
  a failed task, and a failure that a retry repaired leaves nothing in the data tables. A job that
  never succeeded, or succeeded twice in one lakehouse only, is a difference. One read is left out of
  the tables a run read: the daily report's of the prediction-quality table, which exists or not when
  a day's report runs depending on whether a training ran before it, and a backfill runs its trainings
  between the days where single runs run them after.
- Doubles: rows whose hashes differ are paired by their other columns, and a pair whose doubles
  agree within a relative 1e-9 is the same. Spark sums doubles in the order its tasks finish, so
  averages (quality metrics, PSI) may change in the last bits between two runs of the same day.
- A table missing in both lakehouses is reported and is no difference; missing in one is, unless
  the other has no row of a ds in the range (the predictions of a training ds after the range).
- Only the tables of ``lakepipe.tables`` are read: other folders of the lakehouse, such as the daily
  report pages under ``reports/`` (HTML with durations, run ids and links that differ between any two
  runs), are not compared. The report job's audit rows are, like every job's: it counts one page.

A table of the config without a rule here is compared on every column.

Exit status: 0 when every table and ds is the same, 1 on any difference, 2 on bad arguments or config.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from lakepipe_config import ConfigProblem, load_config, setting, table_paths

DS = "ds"
# The audit column whose keys are the tables a run read.
READS = "versions_read"
# Relative and absolute tolerance of doubles in rows whose exact hashes differ.
DOUBLE_RTOL = 1e-9
DOUBLE_ATOL = 1e-12
# Rows shown for each side of a difference, and the characters of one row shown.
EXAMPLES = 3
EXAMPLE_CHARS = 400


@dataclass(frozen=True)
class TableRule:
    """How the rows of one table are compared; every entry maps a column to the reason for its rule."""

    # Columns left out of the comparison.
    excluded: Mapping[str, str] = field(default_factory=dict)
    # Paths (strings, or the keys of a map) compared with the lakehouse and landing roots replaced.
    rooted: Mapping[str, str] = field(default_factory=dict)
    # Map columns compared by their keys only.
    keys_only: Mapping[str, str] = field(default_factory=dict)
    # Only rows whose column has this value are compared, the others only counted: (column, value, reason).
    only_rows: tuple[str, str, str] | None = None
    # Tables (by name) left out of the keys of the versions_read column: table name -> reason.
    optional_reads: Mapping[str, str] = field(default_factory=dict)


_LINEAGE = TableRule(
    excluded={
        "_run_id": "the ingest run's id, a new UUID per run (JobRunner, Lineage.RUN_ID)",
        "_ingested_at": "wall-clock time of the write, current_timestamp() (Lineage.INGESTED_AT)",
    },
    rooted={
        "_source_location": "the landed file (file:<landing>/ds=.../part-*.csv); JDBC table and Kafka"
        " topic/partition/offset hold no root and are compared as they are",
    },
)
_QUALITY = TableRule(
    excluded={
        "run_id": "the check run's id, a new UUID per run",
        "checked_at": "wall-clock time of the check, current_timestamp()",
    },
)

RULES: dict[str, TableRule] = {
    "bronze-flights": _LINEAGE,
    "quarantine-flights": _LINEAGE,
    "bronze-airports": _LINEAGE,
    "quarantine-airports": _LINEAGE,
    "bronze-flight-events": _LINEAGE,
    "quarantine-flight-events": _LINEAGE,
    "quality-bronze-flights": _QUALITY,
    "quality-features-flights": _QUALITY,
    "features-flights": TableRule(),
    "labels-flights": TableRule(),
    "features-daily-stats": TableRule(
        excluded={
            "source_fingerprint": "sha256 of the bronze partition's Delta file names, random at every write"
            " (DeltaTables.partitionFingerprints)",
        },
    ),
    # model_name and model_version are kept: another version means another model scored the day.
    "predictions-flights": TableRule(),
    "prediction-quality-flights": TableRule(
        excluded={"computed_at": "wall-clock time of the monitor-predictions run (PredictionMonitoring)"},
    ),
    "audit-runs": TableRule(
        excluded={
            "run_id": "the job run's id, a new UUID per run",
            "started_at": "wall-clock start of the run",
            "duration_ms": "how long the run took",
            "message": "free text repeating table paths, Delta versions and the MLflow run id",
        },
        rooted={
            "source": "a landing folder or a table path for file and table sources",
            "versions_read": "table paths, as the map's keys",
            "versions_written": "table paths, as the map's keys",
        },
        keys_only={
            "versions_read": "Delta versions count every write to a table, so they differ between runs",
            "versions_written": "Delta versions count every write to a table, so they differ between runs",
        },
        only_rows=(
            "status",
            "SUCCEEDED",
            "a log of runs: a failed run that a retry repaired leaves no data, so failed runs are only counted",
        ),
        optional_reads={
            "prediction-quality-flights": "the daily report reads it when it exists, and it exists once a"
            " training's monitor-predictions has run: before the last day in a backfill (the trainings run"
            " between the days), after it when the days run one by one",
        },
    ),
}


@dataclass(frozen=True)
class Lakehouse:
    """One side of the comparison: its config, table paths and the roots that its paths embed."""

    config_file: Path
    root: str
    tables: Mapping[str, str]
    # (regular expression, replacement), longest root first.
    root_patterns: tuple[tuple[str, str], ...]

    @staticmethod
    def from_config(config_file: Path) -> Lakehouse:
        config = load_config(config_file)
        roots = {
            "<lakehouse>": str(setting(config, "lakehouse")),
            "<landing>": str(setting(config, "sources.flights.location")),
        }
        root = roots["<lakehouse>"]
        if "://" in root:
            raise ConfigProblem(
                f"Lakehouse {root} of {config_file} is not a local folder; this tool reads local lakehouses"
                " only. Compare a local copy, or run the end-to-end test with local lakehouses."
            )
        if not Path(root).is_dir():
            raise ConfigProblem(
                f"Lakehouse {root} of {config_file} does not exist, so there is nothing to compare. Check"
                " lakepipe.lakehouse (and lakepipe.home or LAKEPIPE_HOME) in that config."
            )
        return Lakehouse(config_file, root, table_paths(config), _root_patterns(roots))


def _root_patterns(roots: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Every spelling of each root that a job may have written: as configured, absolute, resolved, as file: URI."""
    spellings: list[tuple[str, str]] = []
    for token, root in roots.items():
        root = root.rstrip("/")
        forms = {root}
        if "://" not in root:
            forms |= {str(Path(root).absolute()), str(Path(root).resolve())}
            forms |= {prefix + form for form in set(forms) if form.startswith("/") for prefix in ("file://", "file:")}
        spellings += [(form, token) for form in forms]
    spellings.sort(key=lambda s: -len(s[0]))
    # A root ends at a slash or at the end: /lake must not match inside /lakehouse2.
    return tuple((re.escape(form) + "(/|$)", token + r"\1") for form, token in spellings)


@dataclass
class Outcome:
    """The comparison of one table and ds (ds None for a line about the whole table)."""

    table: str
    ds: dt.date | None
    same: bool
    rows_a: int | None = None
    rows_b: int | None = None
    note: str = ""
    details: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        verdict = "same" if self.same else "DIFFERENT"
        ds = "all rows" if self.ds is None and self.rows_a is not None else str(self.ds or "")
        rows = "" if self.rows_a is None else f"{self.rows_a:>8}{self.rows_b:>8}"
        head = f"{self.table:<26}{ds:<12}{rows:>16}  {verdict}"
        return [head + (f"  ({self.note})" if self.note else "")] + [f"    {d}" for d in self.details]


def compare(a: Lakehouse, b: Lakehouse, start: dt.date, end: dt.date) -> list[Outcome]:
    """Compares every table of A's config, then any that only B's config names."""
    names = list(a.tables) + [name for name in b.tables if name not in a.tables]
    outcomes: list[Outcome] = []
    for name in names:
        if name not in a.tables or name not in b.tables:
            missing = "A" if name not in a.tables else "B"
            outcomes.append(Outcome(name, None, False, note=f"not in config {missing}"))
            continue
        outcomes += compare_table(name, RULES.get(name, TableRule()), a, b, start, end)
    return outcomes


def compare_table(
    name: str, rule: TableRule, a: Lakehouse, b: Lakehouse, start: dt.date, end: dt.date
) -> list[Outcome]:
    """One outcome per ds of [start, end], or one for the whole table when it is missing or has no ds."""
    table_a = _read(a.tables[name], rule, start, end)
    table_b = _read(b.tables[name], rule, start, end)
    if table_a is None and table_b is None:
        return [Outcome(name, None, True, note="missing in both lakehouses")]
    if table_a is None or table_b is None:
        missing, present = ("A", table_b) if table_a is None else ("B", table_a)
        # A ds-partitioned table with no row in the range holds the same rows for it as no table:
        # one that a training writes for its own ds only, beside days before it.
        same = DS in present.column_names and present.num_rows == 0
        note = f"missing in {missing}; the other has {present.num_rows} rows in range"
        return [Outcome(name, None, same, note=note)]

    outcomes: list[Outcome] = []
    schema_note = _schema_difference(table_a.schema, table_b.schema)
    if schema_note:
        outcomes.append(Outcome(name, None, False, note=schema_note))
        common = [c for c in table_a.column_names if c in table_b.column_names]
        table_a, table_b = table_a.select(common), table_b.select(common)
    if DS not in table_a.column_names:
        outcomes.append(_compare_rows(name, None, rule, table_a, table_b, a, b))
        return outcomes
    for day in _days(start, end):
        outcomes.append(_compare_rows(name, day, rule, _of_day(table_a, day), _of_day(table_b, day), a, b))
    return outcomes


def _read(path: str, rule: TableRule, start: dt.date, end: dt.date) -> pa.Table | None:
    """The table's rows of [start, end] without the excluded columns, or None when there is no table."""
    if not DeltaTable.is_deltatable(path):
        return None
    table = DeltaTable(path)
    names = [f.name for f in table.schema().fields]
    columns = [n for n in names if n not in rule.excluded]
    if DS not in names:
        return table.to_pyarrow_table(columns=columns)
    return table.to_pyarrow_table(columns=columns, filters=[(DS, ">=", start), (DS, "<=", end)])


def _of_day(table: pa.Table, day: dt.date) -> pa.Table:
    return table.filter(pc.equal(table[DS], pa.scalar(day, table.schema.field(DS).type)))


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _schema_difference(a: pa.Schema, b: pa.Schema) -> str:
    """The columns that only one side has or that have different types, ignoring comments and nullability."""
    types_a = {f.name: f.type for f in a}
    types_b = {f.name: f.type for f in b}
    parts = []
    if only_a := sorted(set(types_a) - set(types_b)):
        parts.append(f"columns only in A: {', '.join(only_a)}")
    if only_b := sorted(set(types_b) - set(types_a)):
        parts.append(f"columns only in B: {', '.join(only_b)}")
    retyped = [f"{n} {types_a[n]} vs {types_b[n]}" for n in types_a if n in types_b and types_a[n] != types_b[n]]
    if retyped:
        parts.append(f"types differ: {', '.join(retyped)}")
    return "; ".join(parts) + ("; rows compared on the common columns" if parts else "")


def _compare_rows(
    name: str, day: dt.date | None, rule: TableRule, rows_a: pa.Table, rows_b: pa.Table, a: Lakehouse, b: Lakehouse
) -> Outcome:
    rows_a, skipped_a = _only_rows(rows_a, rule)
    rows_b, skipped_b = _only_rows(rows_b, rule)
    note = ""
    if rule.only_rows and (skipped_a or skipped_b):
        column, value, _ = rule.only_rows
        note = f"rows with {column} {value} compared; others, not compared: A {skipped_a}, B {skipped_b}"
    # Either side's roots on both sides: a model trained in A and exported in B records A's tables in B.
    patterns = tuple(sorted({*a.root_patterns, *b.root_patterns}, key=lambda p: -len(p[0])))
    optional = {
        _replace_roots(side.tables[t], patterns) for side in (a, b) for t in rule.optional_reads if t in side.tables
    }
    canon_a = canonical(rows_a, rule, patterns, optional)
    canon_b = canonical(rows_b, rule, patterns, optional)
    only_a, only_b = _unmatched(row_hashes(canon_a), row_hashes(canon_b))
    close = 0
    if len(only_a) and len(only_b):
        only_a, only_b, close = _pair_close_doubles(rows_a, rows_b, canon_a, canon_b, only_a, only_b)
    if close:
        note = "; ".join(filter(None, [note, f"{close} rows equal with doubles within {DOUBLE_RTOL:g}"]))
    same = len(only_a) == 0 and len(only_b) == 0
    outcome = Outcome(name, day, same, rows_a.num_rows, rows_b.num_rows, note)
    if not same:
        outcome.details = _examples(canon_a, canon_b, only_a, only_b)
    return outcome


def _only_rows(table: pa.Table, rule: TableRule) -> tuple[pa.Table, int]:
    if rule.only_rows is None or rule.only_rows[0] not in table.column_names:
        return table, 0
    column, value, _ = rule.only_rows
    kept = table.filter(pc.equal(table[column], value))
    return kept, table.num_rows - kept.num_rows


def canonical(
    table: pa.Table,
    rule: TableRule,
    root_patterns: Sequence[tuple[str, str]],
    optional_reads: frozenset[str] | set[str] = frozenset(),
) -> pd.DataFrame:
    """Every compared column as text (None for null), roots replaced and map keys sorted, columns by name.

    ``optional_reads`` are table paths (roots replaced) dropped from the keys of ``versions_read``.
    """
    columns = {}
    for name in sorted(table.column_names):
        column = table[name].combine_chunks()
        rooted = name in rule.rooted
        if pa.types.is_map(column.type):
            patterns = root_patterns if rooted else ()
            dropped = optional_reads if name == READS else frozenset()
            columns[name] = [_map_text(v, name in rule.keys_only, patterns, dropped) for v in column.to_pylist()]
            continue
        if pa.types.is_nested(column.type) or pa.types.is_binary(column.type):
            columns[name] = [
                None if v is None else json.dumps(v, sort_keys=True, default=str) for v in column.to_pylist()
            ]
            continue
        text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
        if rooted:
            for pattern, replacement in root_patterns:
                text = pc.replace_substring_regex(text, pattern=pattern, replacement=replacement)
        columns[name] = text.to_pylist()
    return pd.DataFrame(columns, dtype=object, index=pd.RangeIndex(table.num_rows))


def _map_text(
    entries: list[tuple[str, object]] | None,
    keys_only: bool,
    root_patterns: Sequence[tuple[str, str]],
    dropped: frozenset[str] | set[str] = frozenset(),
) -> str | None:
    if entries is None:
        return None
    pairs = sorted((key, v) for k, v in entries if (key := _replace_roots(str(k), root_patterns)) not in dropped)
    return json.dumps([k for k, _ in pairs] if keys_only else pairs, default=str)


def _replace_roots(text: str, root_patterns: Sequence[tuple[str, str]]) -> str:
    for pattern, replacement in root_patterns:
        text = re.sub(pattern, replacement.replace(r"\1", r"\g<1>"), text)
    return text


def row_hashes(canon: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row; the columns' order is fixed by ``canonical``."""
    if canon.empty:
        return np.zeros(len(canon), dtype=np.uint64)
    return pd.util.hash_pandas_object(canon, index=False).to_numpy()


def _unmatched(hashes_a: np.ndarray, hashes_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows of each side beyond the other side's count of the same row."""

    def beyond(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
        series = pd.Series(mine)
        occurrence = series.groupby(series).cumcount()
        other_count = series.map(pd.Series(theirs).value_counts()).fillna(0)
        return np.flatnonzero((occurrence >= other_count).to_numpy())

    return beyond(hashes_a, hashes_b), beyond(hashes_b, hashes_a)


def _pair_close_doubles(
    rows_a: pa.Table,
    rows_b: pa.Table,
    canon_a: pd.DataFrame,
    canon_b: pd.DataFrame,
    only_a: np.ndarray,
    only_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Drops the unmatched rows that pair one to one on their other columns and whose doubles are close."""
    doubles = [n for n in canon_a.columns if pa.types.is_floating(rows_a.schema.field(n).type)]
    others = [n for n in canon_a.columns if n not in doubles]
    if not doubles:
        return only_a, only_b, 0
    keys_a = pd.Series(row_hashes(canon_a.iloc[only_a][others]) if others else np.zeros(len(only_a), np.uint64))
    keys_b = pd.Series(row_hashes(canon_b.iloc[only_b][others]) if others else np.zeros(len(only_b), np.uint64))
    single_a = keys_a[~keys_a.duplicated(keep=False)]
    single_b = keys_b[~keys_b.duplicated(keep=False)]
    pairs = pd.merge(
        pd.DataFrame({"key": single_a.to_numpy(), "a": only_a[single_a.index]}),
        pd.DataFrame({"key": single_b.to_numpy(), "b": only_b[single_b.index]}),
        on="key",
    )
    if pairs.empty:
        return only_a, only_b, 0
    values_a = np.column_stack([_floats(rows_a[n])[pairs["a"].to_numpy()] for n in doubles])
    values_b = np.column_stack([_floats(rows_b[n])[pairs["b"].to_numpy()] for n in doubles])
    close = np.isclose(values_a, values_b, rtol=DOUBLE_RTOL, atol=DOUBLE_ATOL, equal_nan=True).all(axis=1)
    matched = pairs[close]
    return np.setdiff1d(only_a, matched["a"]), np.setdiff1d(only_b, matched["b"]), int(close.sum())


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    return column.to_numpy().astype(np.float64)


def _examples(canon_a: pd.DataFrame, canon_b: pd.DataFrame, only_a: np.ndarray, only_b: np.ndarray) -> list[str]:
    """A few rows of each side that the other lacks; each A row with what differs from its closest B row."""
    shown_a = canon_a.iloc[only_a].sort_values(list(canon_a.columns), na_position="first")
    shown_b = canon_b.iloc[only_b].sort_values(list(canon_b.columns), na_position="first")
    lines = [f"{len(only_a)} rows only in A, {len(only_b)} rows only in B"]
    # Rows as dicts: pandas 3 would turn None into NaN in a row Series of text.
    for row in shown_a.head(EXAMPLES).to_dict("records"):
        lines.append("only in A: " + _row_text(row))
        closest = _closest_difference(row, shown_b)
        if closest:
            lines.append("  closest row only in B differs in " + closest)
    for row in shown_b.head(EXAMPLES).to_dict("records"):
        lines.append("only in B: " + _row_text(row))
    return lines


def _row_text(row: Mapping[str, str | None]) -> str:
    text = ", ".join(f"{k}={'null' if v is None else v}" for k, v in row.items())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 3] + "..."


def _closest_difference(row: Mapping[str, str | None], others: pd.DataFrame, scanned: int = 1000) -> str:
    """The columns in which the most similar of ``others`` differs from ``row``, when under half of them."""
    if others.empty:
        return ""
    candidates = others.head(scanned)
    equal = (candidates.to_numpy() == np.array(list(row.values()), dtype=object)).sum(axis=1)
    best = candidates.iloc[[int(equal.argmax())]].to_dict("records")[0]
    differing = [c for c in row if row[c] != best[c]]
    if len(differing) * 2 >= len(row):
        return ""
    return ", ".join(
        f"{c}: {'null' if row[c] is None else row[c]} -> {'null' if best[c] is None else best[c]}" for c in differing
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True, help="config of lakehouse A")
    parser.add_argument("--other-config", type=Path, required=True, help="config of lakehouse B")
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    args = parser.parse_args(argv)
    if args.start > args.end:
        parser.error(f"--from {args.start} is after --to {args.end}")
    try:
        a = Lakehouse.from_config(args.config)
        b = Lakehouse.from_config(args.other_config)
    except ConfigProblem as problem:
        print(f"compare_lakehouses: {problem}", file=sys.stderr)
        return 2

    print(f"A: {a.root}  (config {a.config_file})")
    print(f"B: {b.root}  (config {b.config_file})")
    print(f"ds {args.start}..{args.end}; columns left out or with roots replaced: RULES in {Path(__file__).name}\n")
    print(f"{'table':<26}{'ds':<12}{'rows A':>8}{'rows B':>8}")
    outcomes = compare(a, b, args.start, args.end)
    for outcome in outcomes:
        print("\n".join(outcome.lines()))
    different = [o for o in outcomes if not o.same]
    if different:
        where = ", ".join(o.table + (f" {o.ds}" if o.ds else "") for o in different)
        print(f"\n{len(different)} DIFFERENT: {where}")
        return 1
    print(f"\nAll the same: {len(outcomes)} table partitions compared.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
