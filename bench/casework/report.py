"""Reads wrk outputs and writes the casework benchmark table (JSON and Markdown)."""
import json
import re
import sys

raw, cases, connections, out_json, out_md = sys.argv[1:6]


def seconds(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


rows = {}
for line in open(raw):
    backend, page, path = line.split()
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    rows.setdefault(backend, {})[page] = {
        "requests_per_s": rps,
        "p50_ms": round(seconds(lat["50"]) * 1000, 2),
        "p99_ms": round(seconds(lat["99"]) * 1000, 2),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }

for backend, pages in rows.items():
    ceiling = pages["healthz"]["requests_per_s"]
    for p in pages.values():
        p["ratio_to_healthz"] = round(p["requests_per_s"] / ceiling, 3)

json.dump({"cases": int(cases), "connections": int(connections), "results": rows}, open(out_json, "w"), indent=2)
lines = [
    f"Casework pages, {int(cases):,} demo cases, wrk with {connections} connections on loopback, 2 cores shared by server and load tool:",
    "",
    "| backend | page | requests/s | p50 ms | p99 ms | ratio to /healthz | non-2xx |",
    "|---|---|---:|---:|---:|---:|---:|",
]
for backend, pages in rows.items():
    for page, p in pages.items():
        lines.append(f"| {backend} | {page} | {p['requests_per_s']:,.0f} | {p['p50_ms']} | {p['p99_ms']} | {p['ratio_to_healthz']} | {p['non_2xx']} |")
open(out_md, "w").write("\n".join(lines) + "\n")
