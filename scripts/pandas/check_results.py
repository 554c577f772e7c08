"""Checks results.json the way its readers use it: against the JSON Schema, and in pandas.

A check for the README, never a test dependency: it needs pandas and jsonschema, which
mnist-report itself never uses (the Swift tests validate every results.json they write
with a validator of their own, Tests/TestFixtures/JSONSchema.swift; this script is the
independent second opinion).

    python3 scripts/pandas/check_results.py reports/results.json

It validates the file with jsonschema's Draft 2020-12 validator, runs the README's pandas
snippet, and checks that the columns people compare are numeric: the runs' settings and
metrics, the search's cv_results_ scores, times, ranks and drawn numbers (at full
precision: the tuned learning rate is the one the final cell trained with), and the
compare cells' findings (each variant's numbers and its verdict against the reference).
"""

import json
import sys
from pathlib import Path

import jsonschema
import pandas as pd
from pandas.api.types import is_numeric_dtype

path = Path(sys.argv[1] if len(sys.argv) > 1 else "reports/results.json")
schema = json.loads((Path(__file__).resolve().parents[2] / "schemas/results.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.loads(path.read_text())))
for error in errors[:10]:
    print(f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
assert not errors, f"{path}: {len(errors)} schema errors"

# The README's snippet.
r = json.load(open(path))
runs = pd.json_normalize(r["cells"], ["runs", "repeats"], ["id", ["runs", "name"]])
search = next(c["search"] for c in r["cells"] if c["kind"] == "search")
cv = pd.DataFrame(search["cv_results"])
verdicts = pd.json_normalize(
    [dict(v, cell=c["id"]) for c in r["cells"] if c["kind"] == "compare" for v in c["findings"]["variants"]])

numeric_runs = ["repeat", "val_accuracy", "val_loss", "seconds", "parameter_count", "settings.learning_rate",
                "settings.batch_size", "settings.weight_decay", "settings.input_dropout", "settings.epochs"]
tested = runs.dropna(subset=["test.accuracy"])
for column in numeric_runs:
    assert is_numeric_dtype(runs[column]), f"runs[{column!r}] is {runs[column].dtype}"
assert is_numeric_dtype(tested["test.accuracy"])
numeric_cv = ["candidate", "mean_test_score", "std_test_score", "rank_test_score", "mean_fit_time", "std_fit_time",
              "split0_test_score"] + [c for c in cv if c.startswith("param_") and c not in ("param_hidden", "param_optimizer")]
for column in numeric_cv:
    assert is_numeric_dtype(cv[column]), f"cv_results[{column!r}] is {cv[column].dtype}"
assert list(cv["candidate"]) == list(range(1, len(cv) + 1))
best = cv.loc[cv["candidate"] == search["best_candidate"]].iloc[0]
assert best["rank_test_score"] == 1

final = next(c for c in r["cells"] if c["kind"] == "final")
if "learning_rate" in final["candidate_parameters"]:
    assert final["candidate_parameters"]["learning_rate"] == final["settings"]["learning_rate"]

# The findings: each compared variant has a verdict, and its numbers are numeric.
compared = verdicts.dropna(subset=["comparison.verdict"])
assert set(compared["comparison.verdict"]) <= {"better", "worse", "indistinguishable", "single"}
for column in ["best.mean", "comparison.difference.mean", "comparison.p_better"]:
    assert is_numeric_dtype(compared[column]), f"verdicts[{column!r}] is {compared[column].dtype}"
key = r["findings"].get("key_results")

print(f"{path}: valid; {len(runs)} runs × {runs.shape[1]} columns, {len(cv)} candidates × {cv.shape[1]} columns, "
      f"{len(compared)} comparisons")
print(compared[["cell", "name", "best.mean", "comparison.difference.mean", "comparison.p_better",
                "comparison.verdict"]].to_string(index=False))
if key and "comparison" in key:
    print(f"key results: {key['tuned']} against {key['baseline']}: {key['comparison']['verdict']}")
print(runs.groupby(["id", "runs.name"])["val_accuracy"].agg(["mean", "std", "count"]).head(8).to_string())
print(cv.sort_values("rank_test_score")[["candidate", "param_learning_rate", "param_hidden", "mean_test_score",
                                         "std_test_score", "rank_test_score"]].head(5).to_string(index=False))
