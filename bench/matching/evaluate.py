#!/usr/bin/env python3
"""Precision, recall and F1 of a pairs CSV (left_id,right_id,probability,...) against a truth CSV
(left_id,right_id), at several thresholds. Streams both files, so it copes with millions of pairs.

usage: evaluate.py TRUTH PAIRS [--threshold T ...] [--show-errors N LEFT RIGHT]
Prints one JSON object: {"thresholds": {"0.5": {tp, fp, fn, precision, recall, f1}, ...}}.
"""
import csv
import json
import random
import sys


def read_truth(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        return {(a, b) for a, b, *_ in r}


def main():
    args = sys.argv[1:]
    truth_path, pairs_path = args[0], args[1]
    thresholds = [0.3, 0.5, 0.7, 0.9, 0.99]
    show = None
    rest = args[2:]
    while rest:
        if rest[0] == "--threshold":
            thresholds = sorted({float(rest[1])} | set(thresholds)); rest = rest[2:]
        elif rest[0] == "--show-errors":
            show = (int(rest[1]), rest[2], rest[3]); rest = rest[4:]
        else:
            raise SystemExit(f"unknown option {rest[0]}")
    truth = read_truth(truth_path)
    tp = {t: 0 for t in thresholds}
    predicted = {t: 0 for t in thresholds}
    errors = []
    found = set()
    with open(pairs_path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        for row in r:
            pair = (row[0], row[1])
            p = float(row[2])
            hit = pair in truth
            for t in thresholds:
                if p >= t:
                    predicted[t] += 1
                    tp[t] += hit
            if hit and p >= 0.5:
                found.add(pair)
            elif show and not hit and p >= 0.5:
                errors.append(row)
    out = {"true_pairs": len(truth), "thresholds": {}}
    for t in thresholds:
        fp = predicted[t] - tp[t]
        fn = len(truth) - tp[t]
        prec = tp[t] / predicted[t] if predicted[t] else 0.0
        rec = tp[t] / len(truth) if truth else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out["thresholds"][str(t)] = {"tp": tp[t], "fp": fp, "fn": fn, "precision": round(prec, 4),
                                     "recall": round(rec, 4), "f1": round(f1, 4)}
    print(json.dumps(out, indent=2))
    if show:
        n, left_path, right_path = show
        random.seed(1)
        sample = random.sample(errors, min(n, len(errors)))
        missed = random.sample(sorted(truth - found), min(n, len(truth - found)))
        need = {x[0] for x in sample} | {x[1] for x in sample} | {a for a, _ in missed} | {b for _, b in missed}
        recs = {}
        for path in (left_path, right_path):
            with open(path, newline="") as f:
                rd = csv.reader(f)
                next(rd)
                for row in rd:
                    if row[0] in need:
                        recs[row[0]] = row
        for x in sample:
            print("FALSE", x[2], recs.get(x[0]), "\n     ", recs.get(x[1]), file=sys.stderr)
        for a, b in missed:
            print("MISSED", recs.get(a), "\n      ", recs.get(b), file=sys.stderr)


if __name__ == "__main__":
    main()
