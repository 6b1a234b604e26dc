"""compare_lakehouses on two small lakehouses written with delta-rs."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from compare_lakehouses import Lakehouse, Outcome, compare, main
from conftest import AUDIT, BRONZE_FLIGHTS, D1, D2, D3, Site, audit_run, flight


def run_compare(a: Site, b: Site, start: dt.date = D1, end: dt.date = D3) -> list[Outcome]:
    return compare(Lakehouse.from_config(a.config), Lakehouse.from_config(b.config), start, end)


def outcome(outcomes: list[Outcome], table: str, ds: dt.date | None = None) -> Outcome:
    (found,) = [o for o in outcomes if o.table == table and o.ds == ds]
    return found


def test_same_rows_in_another_order_and_other_files_are_the_same(site_a: Site, site_b: Site) -> None:
    rows_a = [flight(site_a, day, m) for day in (D1, D2) for m in range(20)]
    rows_b = [flight(site_b, day, m) for day in (D1, D2) for m in range(20)]
    site_a.write("bronze-flights", rows_a, BRONZE_FLIGHTS)
    for part in (rows_b[::-2], rows_b[-2::-2]):
        site_b.write("bronze-flights", part, BRONZE_FLIGHTS)

    outcomes = run_compare(site_a, site_b)

    assert [(o.ds, o.rows_a, o.rows_b, o.same) for o in outcomes if o.table == "bronze-flights"] == [
        (D1, 20, 20, True),
        (D2, 20, 20, True),
        (D3, 0, 0, True),
    ]
    assert all(o.same for o in outcomes)


def test_one_changed_value_is_different_and_the_row_is_shown(site_a: Site, site_b: Site) -> None:
    site_a.write("bronze-flights", [flight(site_a, D1, m) for m in range(10)], BRONZE_FLIGHTS)
    changed = [flight(site_b, D1, m, delay=47 if m == 3 else 5) for m in range(10)]
    site_b.write("bronze-flights", changed, BRONZE_FLIGHTS)

    result = outcome(run_compare(site_a, site_b), "bronze-flights", D1)

    assert not result.same
    assert (result.rows_a, result.rows_b) == (10, 10)
    text = "\n".join(result.lines())
    assert "1 rows only in A, 1 rows only in B" in text
    assert "only in A: " in text and "delay=5, destination=GEG, distance=303" in text
    assert "only in B: " in text and "delay=47, destination=GEG, distance=303" in text
    assert "closest row only in B differs in delay: 5 -> 47" in text


def test_a_ds_missing_in_one_lakehouse_is_different(site_a: Site, site_b: Site) -> None:
    site_a.write("bronze-flights", [flight(site_a, day, m) for day in (D1, D2) for m in range(5)], BRONZE_FLIGHTS)
    site_b.write("bronze-flights", [flight(site_b, D1, m) for m in range(5)], BRONZE_FLIGHTS)

    outcomes = run_compare(site_a, site_b)

    assert outcome(outcomes, "bronze-flights", D1).same
    missing = outcome(outcomes, "bronze-flights", D2)
    assert (missing.same, missing.rows_a, missing.rows_b) == (False, 5, 0)
    assert "5 rows only in A, 0 rows only in B" in missing.details


def test_excluded_volatile_columns_may_differ(site_a: Site, site_b: Site) -> None:
    site_a.write("bronze-flights", [flight(site_a, D1, m, run="run-a") for m in range(5)], BRONZE_FLIGHTS)
    later = [
        dict(flight(site_b, D1, m, run="run-b"), _ingested_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)) for m in range(5)
    ]
    site_b.write("bronze-flights", later, BRONZE_FLIGHTS)

    assert outcome(run_compare(site_a, site_b), "bronze-flights", D1).same


def test_paths_are_compared_without_their_lakehouse_or_landing_root(site_a: Site, site_b: Site) -> None:
    # flight() writes file:<own landing root>/ds=.../part-00000-abc.c000.csv: different roots, same rest.
    site_a.write("bronze-flights", [flight(site_a, D1, m) for m in range(5)], BRONZE_FLIGHTS)
    site_b.write("bronze-flights", [flight(site_b, D1, m) for m in range(5)], BRONZE_FLIGHTS)
    other_file = [dict(flight(site_b, D2, 1), _source_location=f"file:{site_b.landing}/ds={D2}/part-00001-xyz.csv")]
    site_a.write("bronze-flights", [flight(site_a, D2, 1)], BRONZE_FLIGHTS)
    site_b.write("bronze-flights", other_file, BRONZE_FLIGHTS)

    outcomes = run_compare(site_a, site_b)

    assert outcome(outcomes, "bronze-flights", D1).same
    differs = outcome(outcomes, "bronze-flights", D2)
    assert not differs.same
    assert any(
        "_source_location: <landing>/ds=2001-01-14/part-00000-abc.c000.csv -> "
        "<landing>/ds=2001-01-14/part-00001-xyz.csv" in line
        for line in differs.details
    )


def test_doubles_within_a_relative_1e_9_are_the_same(site_a: Site, site_b: Site) -> None:
    def metrics(site: Site, mean_of_delay: float) -> list[dict]:
        return [
            {"feature": "hour", "mean": 13.270544067695608, "run_id": "r", "checked_at": None, "ds": D1},
            {"feature": "delay", "mean": mean_of_delay, "run_id": "r", "checked_at": None, "ds": D1},
        ]

    schema = pa.schema(
        [
            ("feature", pa.string()),
            ("mean", pa.float64()),
            ("run_id", pa.string()),
            ("checked_at", pa.timestamp("us", tz="UTC")),
            ("ds", pa.date32()),
        ]
    )
    site_a.write("quality-features-flights", metrics(site_a, 2.911692559280458), schema)
    site_b.write("quality-features-flights", metrics(site_b, 2.9116925592804583), schema)

    close = outcome(run_compare(site_a, site_b), "quality-features-flights", D1)

    assert close.same
    assert "1 rows equal with doubles within 1e-09" in close.note

    site_b.write(
        "quality-features-flights",
        [{"feature": "delay", "mean": 2.9117, "run_id": "r", "checked_at": None, "ds": D2}],
        schema,
    )
    site_a.write(
        "quality-features-flights",
        [{"feature": "delay", "mean": 2.9116, "run_id": "r", "checked_at": None, "ds": D2}],
        schema,
    )
    assert not outcome(run_compare(site_a, site_b), "quality-features-flights", D2).same


def test_audit_compares_successful_runs_without_ids_times_versions_or_messages(site_a: Site, site_b: Site) -> None:
    site_a.write("audit-runs", [audit_run(site_a, "build-features", D1, version=0, run="a1")], AUDIT, partition_by=None)
    site_b.write(
        "audit-runs",
        [
            audit_run(site_b, "build-features", D1, status="FAILED", run="b1"),
            audit_run(site_b, "build-features", D1, version=7, run="b2"),
        ],
        AUDIT,
        partition_by=None,
    )

    outcomes = run_compare(site_a, site_b)

    result = outcome(outcomes, "audit-runs", D1)
    assert (result.same, result.rows_a, result.rows_b) == (True, 1, 1)
    assert "rows with status SUCCEEDED compared; others, not compared: A 0, B 1" in result.note


def test_a_path_into_the_other_lakehouse_compares_as_one_into_its_own(site_a: Site, site_b: Site) -> None:
    # An export in B of a model trained in A records A's feature table in B's audit, as A's own export does.
    trained_in_a = audit_run(site_a, "export-pmml", D1)
    site_a.write("audit-runs", [trained_in_a], AUDIT, partition_by=None)
    site_b.write(
        "audit-runs",
        [dict(audit_run(site_b, "export-pmml", D1), versions_read=trained_in_a["versions_read"])],
        AUDIT,
        partition_by=None,
    )

    assert outcome(run_compare(site_a, site_b), "audit-runs", D1).same


def test_the_reports_read_of_prediction_quality_may_be_in_one_lakehouse_only(site_a: Site, site_b: Site) -> None:
    # A backfill's report of the last day finds the table a training between the days wrote; single runs' does not.
    report_a = audit_run(site_a, "report", D1)
    report_a["versions_read"] = [*report_a["versions_read"], (site_a.tables["prediction-quality-flights"], 3)]
    site_a.write("audit-runs", [report_a], AUDIT, partition_by=None)
    site_b.write("audit-runs", [audit_run(site_b, "report", D1)], AUDIT, partition_by=None)
    assert outcome(run_compare(site_a, site_b), "audit-runs", D1).same

    # Any other table read in one lakehouse only is still a difference.
    report_b = audit_run(site_b, "report", D2)
    report_b["versions_read"] = [*report_b["versions_read"], (site_b.tables["predictions-flights"], 1)]
    site_a.write("audit-runs", [audit_run(site_a, "report", D2)], AUDIT, partition_by=None)
    site_b.write("audit-runs", [report_b], AUDIT, partition_by=None)
    assert not outcome(run_compare(site_a, site_b), "audit-runs", D2).same


def test_audit_job_without_a_successful_run_in_one_lakehouse_is_different(site_a: Site, site_b: Site) -> None:
    # build-features names no source: a null shown as null.
    site_a.write(
        "audit-runs",
        [
            audit_run(site_a, "check-table:bronze-flights", D2),
            dict(audit_run(site_a, "build-features", D2), source=None),
        ],
        AUDIT,
        partition_by=None,
    )
    site_b.write(
        "audit-runs",
        [audit_run(site_b, "check-table:bronze-flights", D2), audit_run(site_b, "build-features", D2, "FAILED")],
        AUDIT,
        partition_by=None,
    )

    result = outcome(run_compare(site_a, site_b), "audit-runs", D2)

    assert (result.same, result.rows_a, result.rows_b) == (False, 2, 1)
    (shown,) = [line for line in result.details if line.startswith("only in A: ")]
    assert "job=build-features" in shown and "source=null" in shown


def test_a_table_missing_in_both_is_fine_and_missing_in_one_is_different(site_a: Site, site_b: Site) -> None:
    site_a.write("bronze-flights", [flight(site_a, D1, 1)], BRONZE_FLIGHTS)

    outcomes = run_compare(site_a, site_b)

    assert outcome(outcomes, "bronze-flights") == Outcome(
        "bronze-flights", None, False, note="missing in B; the other has 1 rows in range"
    )
    both = outcome(outcomes, "labels-flights")
    assert both.same and both.note == "missing in both lakehouses"


def test_a_table_missing_in_one_is_the_same_when_the_other_has_no_row_in_range(site_a: Site, site_b: Site) -> None:
    site_a.write("bronze-flights", [flight(site_a, D3, 1)], BRONZE_FLIGHTS)

    assert outcome(run_compare(site_a, site_b, D1, D2), "bronze-flights") == Outcome(
        "bronze-flights", None, True, note="missing in B; the other has 0 rows in range"
    )
    assert not outcome(run_compare(site_a, site_b, D1, D3), "bronze-flights").same


def test_main_exits_0_when_the_same_and_1_on_a_difference(
    site_a: Site, site_b: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    site_a.write("bronze-flights", [flight(site_a, D1, m) for m in range(3)], BRONZE_FLIGHTS)
    site_b.write("bronze-flights", [flight(site_b, D1, m) for m in range(3)], BRONZE_FLIGHTS)
    args = ["--config", str(site_a.config), "--other-config", str(site_b.config), "--from", "2001-01-13"]

    assert main(args + ["--to", "2001-01-13"]) == 0
    assert "bronze-flights            2001-01-13         3       3  same" in capsys.readouterr().out

    site_b.write("bronze-flights", [flight(site_b, D2, 1)], BRONZE_FLIGHTS)
    assert main(args + ["--to", "2001-01-14"]) == 1
    assert "1 DIFFERENT: bronze-flights 2001-01-14" in capsys.readouterr().out


@pytest.mark.parametrize("case", ["config file missing", "from after to", "bad date", "lakehouse missing"])
def test_main_exits_2_on_bad_arguments_or_config(site_a: Site, site_b: Site, case: str) -> None:
    config, start, end = site_a.config, "2001-01-13", "2001-01-15"
    if case == "config file missing":
        config = site_a.config.parent / "missing.conf"
    elif case == "from after to":
        start = "2001-01-16"
    elif case == "bad date":
        end = "15.01.2001"
    else:
        site_b.lakehouse.rmdir()
    argv = ["--config", str(config), "--other-config", str(site_b.config), "--from", start, "--to", end]

    try:
        code = main(argv)
    except SystemExit as exit:  # argparse exits by itself on arguments it cannot use
        code = exit.code
    assert code == 2


def test_report_pages_beside_the_tables_are_left_out_and_report_runs_compared(site_a: Site, site_b: Site) -> None:
    for site, duration in ((site_a, 1_000), (site_b, 9_000)):
        page = site.lakehouse / "reports" / "daily" / f"ds={D1}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<title>lakepipe daily report {D1}</title> took {duration} ms, run {site.lakehouse}")
        run = audit_run(site, "report", D1, "SUCCEEDED")
        site.write(
            "audit-runs",
            [{**run, "rows_read": 1, "rows_written": 1, "duration_ms": duration}],
            AUDIT,
            partition_by=None,
        )

    outcomes = run_compare(site_a, site_b)

    assert all(o.same for o in outcomes)
    assert not any("report" in o.table for o in outcomes)
    assert outcome(outcomes, "audit-runs", D1).rows_a == 1
