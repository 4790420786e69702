#!/usr/bin/env python3
import csv, json, sys
# Prints a markdown gap table of bench JSON lines against the bundled BKS files.
# usage: gap.py OUT.jsonl data/instances/bks
bks = {}
for f in ['solomon','homberger','lilim']:
    for row in csv.DictReader(open(f'{sys.argv[2]}/{f}_bks.csv')):
        if row['convention'].startswith('hierarchical') and row['instance'] not in bks:
            bks[row['instance']] = (int(row['vehicles']), float(row['distance']))
tv = tb = 0; gaps = []
print(f"| instance | vehicles | BKS veh | distance | BKS dist | gap % | feasible |")
print("|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line); v, d = bks[r['instance']]
    g = 100*(r['distance']-d)/d; gaps.append(g); tv += r['vehicles']; tb += v
    print(f"| {r['instance']} | {r['vehicles']} | {v} | {r['distance']:.2f} | {d:.2f} | {g:+.2f} | {r['feasible']} |")
print(f"| **total/mean** | **{tv}** | {tb} | | | **{sum(gaps)/len(gaps):+.2f}** | |")
