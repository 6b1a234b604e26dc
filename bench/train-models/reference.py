"""The reference learner of bench/train-models, and its table.

Fits scikit-learn's HistGradientBoostingClassifier (300 iterations, depth 8, origin and destination
as native categories) on the fit rows that TrainModelsBench wrote, scores the same test rows, and
prints one table: each lakepipe model type and the route baseline beside the reference, with the
ROC AUC gap and the fit-time ratio to it.

    reference.py <folder with fit/, test/ and lakepipe.tsv> <row count>
"""

import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

NUMERIC = ["hour", "day_of_week", "distance"]
CATEGORICAL = ["origin", "destination"]
LABEL = "delayed"
# HistGradientBoosting bins a category per value and takes at most 255 bins.
MAX_CATEGORIES = 255


def features(rows, categories):
    frame = rows[NUMERIC].astype("float64")
    for column in CATEGORICAL:
        frame[column] = pd.Categorical(rows[column], categories=categories[column])
    return frame


def main(folder, row_count):
    fit = pd.read_parquet(folder / "fit")
    test = pd.read_parquet(folder / "test")
    # The most frequent values of the fit rows; the others, as values unseen in a fit, are missing.
    categories = {c: fit[c].value_counts().index[: MAX_CATEGORIES - 1].tolist() for c in CATEGORICAL}
    reference = HistGradientBoostingClassifier(
        max_iter=300,
        max_depth=8,
        categorical_features="from_dtype",
        early_stopping=False,
        random_state=42,
    )
    started = time.perf_counter()
    reference.fit(features(fit, categories), fit[LABEL])
    fit_seconds = time.perf_counter() - started
    reference_auc = roc_auc_score(test[LABEL], reference.predict_proba(features(test, categories))[:, 1])

    lakepipe = pd.read_csv(folder / "lakepipe.tsv", sep="\t")
    print(
        f"\n{row_count:,} rows: fit on {len(fit):,}, test on {len(test):,};"
        f" reference: scikit-learn HistGradientBoosting (300 iterations, depth 8,"
        f" native categories), fit in {fit_seconds:.1f} s"
    )
    print(f"{'model':<26} {'fit_s':>8} {'test_roc_auc':>13} {'vs_reference':>13} {'fit_ratio':>10}")
    print(f"{'sklearn_hist_gradient':<26} {fit_seconds:>8.1f} {reference_auc:>13.4f} {'':>13} {1:>10.2f}")
    for row in lakepipe.itertuples(index=False):
        fitted = pd.notna(row.fit_s)
        fit_s = f"{row.fit_s:.1f}" if fitted else ""
        ratio = f"{row.fit_s / fit_seconds:.2f}" if fitted else ""
        gap = row.test_roc_auc - reference_auc
        print(f"{row.model:<26} {fit_s:>8} {row.test_roc_auc:>13.4f} {gap:>+13.4f} {ratio:>10}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
