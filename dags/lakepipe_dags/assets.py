"""The Airflow assets that connect lakepipe's DAGs (data-aware scheduling).

The daily DAG emits an event on ``FEATURES_FLIGHTS`` once a day's features have passed their gate,
with the day in the event's extra (``{"ds": "YYYY-MM-DD"}``; with ``lakepipe.training.trigger =
on-drift`` also whether they drifted: ``lakepipe_dags.retraining``); the training DAG is scheduled on
that asset and runs for the latest day among the events that triggered it. The URI is a logical name
for the table, not its location, which each deployment's config decides.
"""

from __future__ import annotations

from airflow.sdk import Asset

FEATURES_FLIGHTS = Asset(name="lakepipe_features_flights", uri="lakepipe://features/flights")

# Key of the logical date in an event's extra.
DS_KEY = "ds"
