#!/usr/bin/env python3
"""Collects the matching benchmark's outputs into report.json and report.md."""
import json
import os
import platform
import statistics
import sys

out, scale = sys.argv[1], int(sys.argv[2])


def load(name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def timed(name):
    with open(os.path.join(out, name + ".time")) as f:
        wall, rss = f.read().split()[-2:]
    return float(wall), int(rss) / 1024


rows = []
kb_runs = [timed(f"kinbridge-febrl4-{i}") for i in (1, 2, 3)]
kb_wall = statistics.median(w for w, _ in kb_runs)
kb_rss = max(r for _, r in kb_runs)
kb = load("kinbridge-febrl4.json")["thresholds"]["0.5"]
sp = load("splink-febrl4.json")
sp_wall, sp_rss = timed("splink-febrl4")
rows.append(("FEBRL4 5k x 5k", "Kinbridge", kb, kb_wall, kb_rss))
rows.append(("FEBRL4 5k x 5k", "Splink 5", sp["metrics_by_threshold"]["0.5"], sp_wall, sp_rss))
ratios = {"febrl4": round(sp_wall / kb_wall, 1)}
for name, label in [("latin", "generated 10k x 10k, Latin script"), ("multiscript", "generated 10k x 10k, half in own script")]:
    k = load(f"kinbridge-{name}.json")["thresholds"]["0.5"]
    s = load(f"splink-{name}.json")["metrics_by_threshold"]["0.5"]
    kw, kr = timed(f"kinbridge-{name}")
    sw, sr = timed(f"splink-{name}")
    rows.append((label, "Kinbridge", k, kw, kr))
    rows.append((label, "Splink 5", s, sw, sr))
    ratios[name] = round(sw / kw, 1)
if scale:
    k = load("kinbridge-scale.json")["thresholds"]["0.5"]
    kw, kr = timed("kinbridge-scale")
    rows.append((f"generated {scale:,} x {scale:,}, 30% own script", "Kinbridge", k, kw, kr))

report = {
    "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    "threshold": 0.5,
    "rows": [{"dataset": d, "tool": t, **m, "wall_s": round(w, 2), "peak_rss_mib": round(r, 1)} for d, t, m, w, r in rows],
    "splink_time_over_kinbridge_time": ratios,
}
with open(os.path.join(out, "report.json"), "w") as f:
    json.dump(report, f, indent=2)
lines = ["| data | tool | precision | recall | F1 | wall time | peak memory |", "|---|---|---:|---:|---:|---:|---:|"]
for d, t, m, w, r in rows:
    lines.append(f"| {d} | {t} | {m['precision']:.4f} | {m['recall']:.4f} | **{m['f1']:.4f}** | {w:.2f} s | {r:.0f} MiB |")
lines.append("")
lines.append("Splink's wall time over Kinbridge's (whole process, same machine, threshold 0.5): " +
             ", ".join(f"{k} {v}x" for k, v in ratios.items()))
md = "\n".join(lines) + "\n"
with open(os.path.join(out, "report.md"), "w") as f:
    f.write(md)
print(md)
