"""Kinbridge `deid` and Microsoft Presidio side by side on the same labelled sentences.

English sentences come from presidio-evaluator's own templates and Faker (en_US); French and
Spanish ones from casework templates in this folder, filled by the same generator with Faker's
fr_FR / es_ES providers. Both tools see every sentence; tokens (whitespace-separated) are
scored by entity class, as presidio-evaluator does: precision, recall, F2 (recall weighs
more: a missed name is a leak), per class and overall, and sentences per second.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent / "shared" / "peers"))

from faker import Faker  # noqa: E402
from presidio_evaluator.data_generator import PresidioSentenceFaker  # noqa: E402

# Gold and predicted types, mapped onto the classes both tools are asked to find.
GOLD = {
    "PERSON": "PERSON", "STREET_ADDRESS": "LOCATION", "GPE": "LOCATION", "ZIP_CODE": "LOCATION",
    "LOCATION": "LOCATION", "DATE_TIME": "DATE_TIME", "AGE": "AGE", "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL", "CREDIT_CARD": "CREDIT_CARD", "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS", "DOMAIN_NAME": "URL", "URL": "URL", "US_SSN": "ID",
    "US_DRIVER_LICENSE": "ID",
}
# Gold classes neither tool is asked for: their tokens are left out of the scores.
IGNORED = {"ORGANIZATION", "NRP", "TITLE", "HOSPITAL", "RELIGION"}
PRESIDIO = {
    "PERSON": "PERSON", "LOCATION": "LOCATION", "DATE_TIME": "DATE_TIME", "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL", "CREDIT_CARD": "CREDIT_CARD", "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP_ADDRESS",
    "URL": "URL", "US_SSN": "ID", "US_DRIVER_LICENSE": "ID", "US_PASSPORT": "ID", "US_BANK_NUMBER": "ID",
    "US_ITIN": "ID", "UK_NHS": "ID", "ES_NIF": "ID", "IT_FISCAL_CODE": "ID", "MEDICAL_LICENSE": "ID",
}
KINBRIDGE = {
    "person": "PERSON", "place": "LOCATION", "address": "LOCATION", "date": "DATE_TIME", "age": "AGE",
    "phone": "PHONE", "email": "EMAIL", "card_number": "CREDIT_CARD", "iban": "IBAN",
    "ip_address": "IP_ADDRESS", "url": "URL", "id_number": "ID",
}
# "Person names and identifiers": the classes the recall target is about.
IDENTIFYING = {"PERSON", "PHONE", "EMAIL", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "ID", "URL"}


def samples(lang, n, seed):
    if lang == "en":
        faker = PresidioSentenceFaker("en_US", lower_case_ratio=0.05, random_seed=seed)
    else:
        fk = Faker({"fr": "fr_FR", "es": "es_ES"}[lang])
        Faker.seed(seed)
        records = []
        for _ in range(500):
            records.append({
                "name": fk.name(), "first_name": fk.first_name(), "last_name": fk.last_name(),
                "address": fk.address().replace("\n", ", "), "phone_number": fk.phone_number(),
                "email": fk.email(), "city": fk.city(), "iban": fk.iban(),
                "date_of_birth": fk.date_of_birth().strftime("%d/%m/%Y"),
            })
        templates = [l.strip() for l in (HERE / f"templates_{lang}.txt").read_text().splitlines() if l.strip()]
        faker = PresidioSentenceFaker(
            {"fr": "fr_FR", "es": "es_ES"}[lang], lower_case_ratio=0.05, sentence_templates=templates,
            base_records=records, random_seed=seed,
            entity_type_mapping={**PresidioSentenceFaker.ENTITY_TYPE_MAPPING, "ipv4": "IP_ADDRESS", "url": "URL"},
        )
    out = []
    for s in faker.generate_new_fake_sentences(n):
        text = s.full_text.replace("\\n", "\n")
        spans = [(sp.start_position, sp.end_position, sp.entity_type) for sp in s.spans]
        if "\\n" in s.full_text:
            # The templates keep line breaks as a literal backslash-n: fix the offsets with it.
            fixed, shift = [], 0
            for st, en, ty in sorted(spans):
                before = s.full_text[:st].count("\\n")
                inside = s.full_text[st:en].count("\\n")
                fixed.append((st - before, en - before - inside, ty))
            spans = fixed
        out.append({"lang": lang, "text": text, "gold": spans})
    return out


def token_labels(text, spans, mapping, gold=False):
    labels = []
    for m in re.finditer(r"\S+", text):
        label = "O"
        for st, en, ty in spans:
            if st < m.end() and en > m.start():
                label = mapping.get(ty, "IGNORED" if gold and ty in IGNORED else "O")
                break
        labels.append(label)
    return labels


def score(data, key):
    tp, fp, fn = Counter(), Counter(), Counter()
    for d in data:
        gold = token_labels(d["text"], d["gold"], GOLD, gold=True)
        pred = d[key]
        for g, p in zip(gold, pred):
            if g == "IGNORED":
                continue
            if g != "O" and p == g:
                tp[g] += 1
            else:
                if g != "O":
                    fn[g] += 1
                if p != "O":
                    fp[p] += 1
    classes = sorted(set(tp) | set(fn) | set(fp))

    def prf(t, f_p, f_n):
        p = t / (t + f_p) if t + f_p else 0.0
        r = t / (t + f_n) if t + f_n else 0.0
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f2": round(f2, 4), "tokens": t + f_n}

    per = {c: prf(tp[c], fp[c], fn[c]) for c in classes}
    overall = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    ident = prf(sum(tp[c] for c in IDENTIFYING), sum(fp[c] for c in IDENTIFYING), sum(fn[c] for c in IDENTIFYING))
    return {"overall": overall, "names_and_identifiers": ident, "per_class": per}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinbridge", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--en", type=int, default=1000)
    ap.add_argument("--fr", type=int, default=300)
    ap.add_argument("--es", type=int, default=300)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    data = samples("en", a.en, a.seed) + samples("fr", a.fr, a.seed) + samples("es", a.es, a.seed)
    (out / "sentences.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in data))

    # Kinbridge: one process per language, the whole batch through --format jsonl. Timed on
    # the batch repeated --repeat times, so that process start is not most of what is timed.
    k_time = 0.0
    for lang in ("en", "fr", "es"):
        part = [d for d in data if d["lang"] == lang]
        if not part:
            continue
        payload = "".join(json.dumps({"text": d["text"]}, ensure_ascii=False) + "\n" for d in part)
        t0 = time.perf_counter()
        subprocess.run([a.kinbridge, "deid", "--lang", lang, "--format", "jsonl"], input=(payload * a.repeat).encode(),
                       capture_output=True, check=True)
        k_time += (time.perf_counter() - t0) / a.repeat
        r = subprocess.run([a.kinbridge, "deid", "--lang", lang, "--format", "jsonl"], input=payload.encode(),
                           capture_output=True, check=True)
        for d, line in zip(part, r.stdout.decode().splitlines()):
            spans = [(s["start"], s["end"], s["type"]) for s in json.loads(line)["spans"]]
            d["kinbridge"] = token_labels(d["text"], spans, KINBRIDGE)

    # Presidio: its analyzer built as its documentation recommends, offline (peers/presidio_engine.py).
    from presidio_engine import build_analyzer
    t_load = time.perf_counter()
    analyzer = build_analyzer(("en", "fr", "es"))
    load = time.perf_counter() - t_load
    t0 = time.perf_counter()
    for d in data:
        res = analyzer.analyze(text=d["text"], language=d["lang"])
        spans = [(r.start, r.end, r.entity_type) for r in res]
        d["presidio"] = token_labels(d["text"], spans, PRESIDIO)
    p_time = time.perf_counter() - t0

    report = {"sentences": {l: sum(1 for d in data if d["lang"] == l) for l in ("en", "fr", "es")}}
    for name, key, secs in (("kinbridge", "kinbridge", k_time), ("presidio", "presidio", p_time)):
        report[name] = {"all": score(data, key), "seconds": round(secs, 3),
                        "sentences_per_second": round(len(data) / secs, 1)}
        for lang in ("en", "fr", "es"):
            report[name][lang] = score([d for d in data if d["lang"] == lang], key)["overall"]
    report["presidio"]["model_load_seconds"] = round(load, 2)
    report["throughput_ratio"] = round(report["kinbridge"]["sentences_per_second"] / report["presidio"]["sentences_per_second"], 1)
    (out / "report.json").write_text(json.dumps(report, indent=2))
    # Misses of names and identifiers, for reading.
    with open(out / "kinbridge_misses.txt", "w") as f:
        for d in data:
            gold = token_labels(d["text"], d["gold"], GOLD, gold=True)
            toks = re.findall(r"\S+", d["text"])
            miss = [(t, g, p) for t, g, p in zip(toks, gold, d["kinbridge"]) if g in IDENTIFYING and p != g]
            if miss:
                f.write(f"{d['lang']}\t{d['text']}\t{miss}\n")
    k, p = report["kinbridge"], report["presidio"]
    print(f"{'':24}{'Kinbridge':>12}{'Presidio':>12}")
    for label, f in (("overall precision", lambda r: r["all"]["overall"]["precision"]),
                     ("overall recall", lambda r: r["all"]["overall"]["recall"]),
                     ("overall F2", lambda r: r["all"]["overall"]["f2"]),
                     ("names+ids recall", lambda r: r["all"]["names_and_identifiers"]["recall"]),
                     ("F2 en", lambda r: r["en"]["f2"]), ("F2 fr", lambda r: r["fr"]["f2"]), ("F2 es", lambda r: r["es"]["f2"]),
                     ("sentences/s", lambda r: r["sentences_per_second"])):
        print(f"{label:24}{f(k):>12}{f(p):>12}")
    print(f"throughput ratio: {report['throughput_ratio']}x")
    print("per class (Kinbridge P/R/F2 | Presidio P/R/F2):")
    for c in sorted(set(k["all"]["per_class"]) | set(p["all"]["per_class"])):
        kc, pc = k["all"]["per_class"].get(c, {}), p["all"]["per_class"].get(c, {})
        print(f"  {c:12} {kc.get('precision', 0):.3f}/{kc.get('recall', 0):.3f}/{kc.get('f2', 0):.3f} | "
              f"{pc.get('precision', 0):.3f}/{pc.get('recall', 0):.3f}/{pc.get('f2', 0):.3f}")


if __name__ == "__main__":
    main()
