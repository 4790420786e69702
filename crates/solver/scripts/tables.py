#!/usr/bin/env python3
"""Markdown tables of `senroute bench` JSONL output against the bundled BKS.

usage: tables.py OUTDIR data/instances/bks
OUTDIR holds solomon.jsonl, lilim.jsonl and cordeau.jsonl (any may be
missing). Prints a summary per instance class, then one row per instance.
"""
import csv
import json
import os
import re
import sys


def load_bks(bks_dir):
    bks = {}
    for name in ["solomon", "homberger", "lilim"]:
        with open(os.path.join(bks_dir, f"{name}_bks.csv")) as f:
            for row in csv.DictReader(f):
                if row["convention"].startswith("hierarchical") and row["instance"] not in bks:
                    bks[row["instance"]] = (int(row["vehicles"]), float(row["distance"]))
    with open(os.path.join(bks_dir, "darp_bks.csv")) as f:
        for row in csv.DictReader(f):
            bks[row["instance"]] = (int(row["vehicles"]), float(row["distance"]))
    return bks


def klass(name):
    if name.lower().startswith(("a", "b")) and "-" in name:
        return name[0]
    # Solomon C1/R2/RC1, Li & Lim lc1/lr2/lrc1: letters plus the first digit
    m = re.match(r"([A-Za-z]+)(\d)", name)
    return m.group(1) + m.group(2) if m else name


def table(rows, bks, darp):
    out = []
    groups = {}
    for r in rows:
        groups.setdefault(klass(r["instance"]), []).append(r)
    if darp:
        out.append("| class | instances | vehicles | mean distance | mean s | feasible |")
        out.append("|---|---|---|---|---|---|")
        for k, g in groups.items():
            out.append(
                f"| {k} | {len(g)} | {sum(r['vehicles'] for r in g)} | "
                f"{sum(r['distance'] for r in g) / len(g):.2f} | "
                f"{sum(r['seconds'] for r in g) / len(g):.1f} | "
                f"{sum(bool(r['feasible']) for r in g)}/{len(g)} |"
            )
    else:
        out.append(
            "| class | instances | vehicles (BKS) | = BKS vehicles | mean gap % at BKS vehicles | mean s | feasible |"
        )
        out.append("|---|---|---|---|---|---|---|")
        allv = allb = 0
        for k, g in list(groups.items()) + [("**all**", rows)]:
            v = sum(r["vehicles"] for r in g)
            b = sum(bks[r["instance"]][0] for r in g)
            same = [r for r in g if r["vehicles"] == bks[r["instance"]][0]]
            gaps = [100 * (r["distance"] - bks[r["instance"]][1]) / bks[r["instance"]][1] for r in same]
            mg = f"{sum(gaps) / len(gaps):+.2f}" if gaps else "–"
            out.append(
                f"| {k} | {len(g)} | {v} ({b}) | {len(same)}/{len(g)} | {mg} | "
                f"{sum(r['seconds'] for r in g) / len(g):.1f} | "
                f"{sum(bool(r['feasible']) for r in g)}/{len(g)} |"
            )
    out.append("")
    out.append("| instance | vehicles | BKS vehicles | distance | BKS distance | gap % | seconds | feasible |")
    out.append("|---|---|---|---|---|---|---|---|")
    for r in rows:
        b = bks.get(r["instance"])
        bv, bd, gap = ("–", "–", "–")
        if b:
            bv, bd = str(b[0]), f"{b[1]:.2f}"
            gap = f"{100 * (r['distance'] - b[1]) / b[1]:+.2f}"
        out.append(
            f"| {r['instance']} | {r['vehicles']} | {bv} | {r['distance']:.2f} | {bd} | {gap} | "
            f"{r['seconds']:.1f} | {'yes' if r['feasible'] else '**no**'} |"
        )
    return "\n".join(out)


def main():
    outdir, bks_dir = sys.argv[1], sys.argv[2]
    bks = load_bks(bks_dir)
    for name, title, darp in [
        ("solomon", "Solomon VRPTW (56 instances)", False),
        ("lilim", "Li & Lim PDPTW, 100 tasks (56 instances)", False),
        ("cordeau", "Cordeau (2006) DARP (48 instances)", True),
    ]:
        path = os.path.join(outdir, f"{name}.jsonl")
        if not os.path.exists(path):
            continue
        rows = [json.loads(line) for line in open(path) if line.strip()]
        print(f"#### {title}\n")
        print(table(rows, bks, darp))
        print()


if __name__ == "__main__":
    main()
