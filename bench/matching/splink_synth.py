#!/usr/bin/env python3
"""Splink 5 (DuckDB) on the generated person records (left.csv, right.csv, truth.csv from
`synth`), configured the way Splink's documentation builds a person model: name comparisons with
term-frequency adjustment, date-of-birth comparison, exact matches on sex, phone and id,
Jaro-Winkler on place; lambda from deterministic rules, u by random sampling, m by EM.

As a Splink user would, dates are standardised to ISO first (Splink compares one date format;
estimated dates such as "~1985" become null) and names are lowercased. Names in non-Latin
scripts are passed as they are: Splink has no transliteration.

usage: splink_synth.py DIR [--max-pairs N]    prints a JSON report; writes DIR/splink_pairs.csv
"""
import argparse
import json
import logging
import re
import resource
import time

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--max-pairs", type=float, default=1e6)
args = ap.parse_args()

t0 = time.perf_counter()
import pandas as pd  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402


def iso(d):
    if not isinstance(d, str):
        return None
    d = d.strip()
    if re.fullmatch(r"\d{8}", d):
        return f"{d[:4]}-{d[4:6]}-{d[6:]}"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", d)
    if m:
        return d
    m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", d)
    if m:
        return f"{m[3]}-{m[2]}-{m[1]}"
    return None


def load(name):
    df = pd.read_csv(f"{args.dir}/{name}", dtype=str, keep_default_na=False)
    df = df.replace({"": None})
    for c in ["given_name", "family_name", "parent_name", "place"]:
        df[c] = df[c].str.lower()
    df["birth_date"] = df["birth_date"].map(iso)
    df = df.rename(columns={"id": "unique_id"})
    return df


left, right = load("left.csv"), load("right.csv")
truth = set(map(tuple, pd.read_csv(f"{args.dir}/truth.csv", dtype=str).values.tolist()))
t_load = time.perf_counter()

settings = SettingsCreator(
    link_type="link_only",
    blocking_rules_to_generate_predictions=[
        block_on("given_name", "family_name"),
        "l.given_name = r.family_name and l.family_name = r.given_name",
        block_on("birth_date"),
        block_on("phone"),
        block_on("id_number"),
        block_on("place", "family_name"),
    ],
    comparisons=[
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
        cl.ExactMatch("sex"),
        cl.DateOfBirthComparison("birth_date", input_is_string=True, invalid_dates_as_null=True),
        cl.JaroWinklerAtThresholds("place", [0.9, 0.8]),
        cl.JaroWinklerAtThresholds("parent_name", [0.9, 0.8]),
        cl.ExactMatch("phone"),
        cl.DamerauLevenshteinAtThresholds("id_number", [1, 2]),
    ],
    retain_intermediate_calculation_columns=False,
)
db_api = DuckDBAPI()
linker = Linker([db_api.register(left, dataset_display_name="a"), db_api.register(right, dataset_display_name="b")],
                settings, log_level=logging.WARNING)
linker.training.estimate_probability_two_random_records_match(
    [block_on("given_name", "family_name", "birth_date"), block_on("phone")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=args.max_pairs, seed=42)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("family_name"))
pred = linker.inference.predict(threshold_match_probability=0.3).as_pandas_dataframe()
t_done = time.perf_counter()

pairs = []
for l, r, s, p in zip(pred["unique_id_l"], pred["unique_id_r"], pred["source_dataset_l"], pred["match_probability"]):
    pairs.append(((l, r) if s == "a" else (r, l), p))
with open(f"{args.dir}/splink_pairs.csv", "w") as f:
    f.write("left_id,right_id,probability\n")
    for (l, r), p in pairs:
        f.write(f"{l},{r},{p}\n")
res = {"tool": "splink", "train_plus_predict_s": round(t_done - t_load, 3), "total_in_process_s": round(t_done - t0, 3),
       "peak_rss_mib_in_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "metrics_by_threshold": {}}
for thr in [0.5, 0.9]:
    sel = {pr for pr, p in pairs if p >= thr}
    tp = len(sel & truth); fp = len(sel) - tp; fn = len(truth) - tp
    prec = tp / (tp + fp) if tp + fp else 0.0; rec = tp / (tp + fn) if tp + fn else 0.0
    res["metrics_by_threshold"][str(thr)] = {"tp": tp, "fp": fp, "fn": fn, "precision": round(prec, 4), "recall": round(rec, 4),
                                             "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0}
print(json.dumps(res, indent=2))
