"""Key-value accuracy on a generated invoice corpus with ground truth.

The corpus (default 120 invoices + 20 in a held-out layout, seeded) mixes four layouts (label: value, labels above
values, label | value grid, centred receipt style), three font families, built-in and
embedded TrueType fonts, and two renderings: text PDFs (read from the text layer) and
page images with scanner noise (rotation, blur, speckle; PNG or JPEG; 150-300 dpi) read
by OCR. Prints precision, recall and F1 per field, for each rendering and overall.

Usage: python bench/extraction_accuracy.py [--quick] [--count N] [--seed S] [--errors K]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal, InvalidOperation
from pathlib import Path

try:
    import docuflow.extraction  # noqa: F401
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from docuflow.extraction import ExtractionFailed, Limits, extract, validate
from docuflow.extraction import testdata as td

FIELDS = ["Invoice Number", "Date", "Total Amount", "Vendor Name"]


def plan(count: int, seed: int, held_out: int = 0) -> list[dict]:
    """``count`` documents in layouts 0-3, then ``held_out`` in layout 4, a layout written
    after the rules and never used to tune them (labels like "Inv. Ref.", "Billing Date",
    "Balance Due"; vendor only as an upper-case letterhead)."""
    rng = random.Random(seed)
    docs = []
    for i in range(count + held_out):
        truth = td.random_invoice(rng)
        scanned = i % 5 >= 3  # 40 % scans
        docs.append(
            {
                "index": i,
                "truth": truth,
                "layout": i % 4 if i < count else 4,
                "family": rng.choice(td.FAMILIES),
                "kind": "ocr" if scanned else "text_pdf",
                "ttf": rng.random() < 0.5,
                "noise": rng.choice([0.4, 0.8, 1.2]),
                "dpi": rng.choice([150, 200, 300]),
                "jpeg": rng.random() < 0.3,
            }
        )
    return docs


def run_one(doc: dict, tmp: str) -> dict:
    t = doc["truth"]
    base = Path(tmp) / f"doc{doc['index']}"
    if doc["kind"] == "text_pdf":
        path = td.invoice_pdf(base.with_suffix(".pdf"), t, doc["layout"], doc["family"], doc["ttf"])
        content_type = "application/pdf"
    else:
        png = td.invoice_image(
            base.with_suffix(".png"),
            t,
            doc["layout"],
            doc["family"],
            dpi=doc["dpi"],
            noise=doc["noise"],
            seed=doc["index"],
        )
        path, content_type = png, "image/png"
        if doc["jpeg"]:
            from PIL import Image

            path = base.with_suffix(".jpg")
            Image.open(png).save(path, quality=75, dpi=(doc["dpi"], doc["dpi"]))
            content_type = "image/jpeg"
    t0 = time.perf_counter()
    try:
        ex = extract(path, content_type, document_type="INVOICE", limits=Limits(ocr_workers=1))
    except ExtractionFailed as exc:
        return {"index": doc["index"], "error": exc.code, "predicted": {}, "seconds": 0.0}
    seconds = time.perf_counter() - t0
    predicted = {f: ex.key_values[f].value for f in FIELDS if f in ex.key_values}
    currency = ex.key_values["Total Amount"].currency if "Total Amount" in ex.key_values else None
    return {
        "index": doc["index"],
        "predicted": predicted,
        "currency": currency,
        "passed": validate(ex)["passed"],
        "confidence": ex.confidence,
        "seconds": seconds,
    }


def same(field: str, got: str, want: str) -> bool:
    if field == "Total Amount":
        try:
            return Decimal(got) == Decimal(want)
        except InvalidOperation:
            return False
    if field == "Vendor Name":
        return " ".join(got.lower().split()) == " ".join(want.lower().split())
    return got.strip() == want.strip()


def score(docs: list[dict], results: dict[int, dict]) -> dict:
    stats = {f: {"predicted": 0, "correct": 0, "truth": 0} for f in FIELDS}
    for d in docs:
        r = results[d["index"]]
        want = d["truth"].expected()
        for f in FIELDS:
            stats[f]["truth"] += 1
            if f in r["predicted"]:
                stats[f]["predicted"] += 1
                stats[f]["correct"] += same(f, r["predicted"][f], want[f])
    return stats


def print_table(title: str, stats: dict) -> None:
    print(f"\n{title}")
    print(f"{'field':16} {'precision':>9} {'recall':>7} {'F1':>6}   correct/predicted/truth")
    tot = {"predicted": 0, "correct": 0, "truth": 0}
    for f, s in stats.items():
        for k in tot:
            tot[k] += s[k]
        _row(f, s)
    _row("all fields", tot)


def _row(name: str, s: dict) -> None:
    p = s["correct"] / s["predicted"] if s["predicted"] else 0.0
    r = s["correct"] / s["truth"] if s["truth"] else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{name:16} {p:9.3f} {r:7.3f} {f1:6.3f}   {s['correct']}/{s['predicted']}/{s['truth']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 (+5) documents, not 120 (+20)")
    parser.add_argument("--count", type=int)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--errors", type=int, default=8, help="wrong values to show")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--held-out", type=int, help="documents in the held-out layout")
    args = parser.parse_args()
    count = args.count if args.count is not None else (20 if args.quick else 120)
    held_out = args.held_out if args.held_out is not None else (5 if args.quick else 20)
    docs = plan(count, args.seed, held_out)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-accuracy-") as tmp:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            results = {r["index"]: r for r in pool.map(run_one, docs, [tmp] * len(docs))}
    elapsed = time.perf_counter() - t0
    main_docs = [d for d in docs if d["layout"] != 4]
    n_ocr = sum(d["kind"] == "ocr" for d in main_docs)
    print(
        f"{count} invoices ({count - n_ocr} text PDFs, {n_ocr} noisy scans) + {held_out} in the "
        f"held-out layout, seed {args.seed}, {elapsed:.1f} s with {args.workers} workers"
    )
    for kind, label in (("text_pdf", "text-layer PDFs"), ("ocr", "scans through OCR")):
        subset = [d for d in main_docs if d["kind"] == kind]
        if subset:
            secs = sum(results[d["index"]]["seconds"] for d in subset) / len(subset)
            passed = sum(bool(results[d["index"]].get("passed")) for d in subset)
            print_table(
                f"-- {label}: {len(subset)} docs, {secs:.2f} s/doc, "
                f"validation passed {passed}/{len(subset)}",
                score(subset, results),
            )
    print_table(f"-- layouts 0-3, all {len(main_docs)} documents", score(main_docs, results))
    held = [d for d in docs if d["layout"] == 4]
    if held:
        print_table(
            f"-- held-out layout 4: {len(held)} docs "
            f"({sum(d['kind'] == 'ocr' for d in held)} scans), rules not tuned for it",
            score(held, results),
        )
    cur_ok = sum(
        results[d["index"]].get("currency") == d["truth"].currency
        for d in docs
        if "Total Amount" in results[d["index"]]["predicted"]
    )
    cur_n = sum("Total Amount" in results[d["index"]]["predicted"] for d in docs)
    print(f"\ncurrency of Total Amount correct: {cur_ok}/{cur_n}")
    failures = [results[d["index"]] for d in docs if "error" in results[d["index"]]]
    if failures:
        print(f"extraction failures: {len(failures)} ({', '.join(f['error'] for f in failures)})")
    shown = 0
    for d in docs:
        r = results[d["index"]]
        want = d["truth"].expected()
        for f in FIELDS:
            got = r["predicted"].get(f)
            if shown < args.errors and (got is None or not same(f, got, want[f])):
                print(
                    f"  doc {d['index']:3} {d['kind']:8} layout {d['layout']} {d['family']:5} "
                    f"{f}: got {got!r}, want {want[f]!r}"
                )
                shown += 1


if __name__ == "__main__":
    main()
