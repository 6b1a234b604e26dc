"""The days a scheduled lakepipe DAG covers, and how a training run learns its day.

The daily DAG runs from the first to the last day of the flights data set (2001-01-01..2001-06-30).
A deployment with newer data, or a test that must keep the scheduler to a few days, moves the range
with ``LAKEPIPE_START_DATE`` / ``LAKEPIPE_END_DATE`` (read when the DAG file is parsed).

Training needs days before the day it trains for (lakepipe.train: at least one training day, the
validation days and the test days). The training runs that catch-up triggers for the first days of
the data are therefore skipped, not failed: ``LAKEPIPE_TRAINING_MIN_DAYS`` (default 3, for the
defaults of one validation and one test day) is how many days of features a first training needs.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any

import pendulum

from lakepipe_dags.assets import DS_KEY

TRAINING_MIN_DAYS_ENV = "LAKEPIPE_TRAINING_MIN_DAYS"
DEFAULT_TRAINING_MIN_DAYS = 3
START_DATE_ENV = "LAKEPIPE_START_DATE"
END_DATE_ENV = "LAKEPIPE_END_DATE"
FIRST_DAY = "2001-01-01"
LAST_DAY = "2001-06-30"


def start_date() -> pendulum.DateTime:
    """The first logical date of the daily DAG."""
    return _day(START_DATE_ENV, FIRST_DAY)


def end_date() -> pendulum.DateTime:
    """The last logical date of the daily DAG: no run is scheduled for a day without data."""
    return _day(END_DATE_ENV, LAST_DAY)


def first_training_day() -> str:
    """The first day with enough days of features before it to train on, as YYYY-MM-DD."""
    value = os.environ.get(TRAINING_MIN_DAYS_ENV) or str(DEFAULT_TRAINING_MIN_DAYS)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"Environment variable {TRAINING_MIN_DAYS_ENV}={value!r} is not a whole number of days >= 1.")
    return (start_date().date() + dt.timedelta(days=int(value) - 1)).isoformat()


def training_ds(conf: Mapping[str, Any] | None, triggering_events: Mapping[Any, Iterable[Any]] | None) -> str:
    """The day a training run trains for.

    ``ds`` in the run's conf wins (a manual trigger or ``airflow dags test -c '{"ds": ...}'``);
    otherwise the latest day among the triggering asset events, so that a backfill of many days
    queues one training, for its last day.
    """
    if conf and conf.get(DS_KEY):
        return _iso_day(str(conf[DS_KEY]), "the run's conf")
    days = [
        _iso_day(str(event.extra[DS_KEY]), "an asset event's extra")
        for events in (triggering_events or {}).values()
        for event in events
        if (event.extra or {}).get(DS_KEY)
    ]
    if not days:
        raise ValueError(
            "This training run has no day to train for: it was not triggered by a features event with "
            f"a '{DS_KEY}' in its extra, and its conf has no '{DS_KEY}'. Trigger it with conf "
            f'{{"{DS_KEY}": "YYYY-MM-DD"}}.'
        )
    return max(days)


def _iso_day(value: str, where: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"'{value}' from {where} is not a date of the form YYYY-MM-DD.") from None


def _day(env: str, default: str) -> pendulum.DateTime:
    value = os.environ.get(env) or default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"Environment variable {env}={value!r} is not a date of the form YYYY-MM-DD.") from None
    return pendulum.datetime(day.year, day.month, day.day, tz="UTC")
