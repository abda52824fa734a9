#!/usr/bin/env python3
"""Benchmark: first-ray meshing time and size against the target element size, and
the standing case's solve time at three resolutions on 1 and 2 MPI ranks.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/meshing.py [--quick] [--out DIR]

Prints two tables and writes DIR/meshing.csv and DIR/standing.csv (default
benchmarks/results). Units: mm, s. Uses the CLI (build/firstray, or $FIRSTRAY_CLI)
under mpirun for the solves.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import firstray as fr

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def mesh_rows(sizes):
    rows = []
    for mesh_size, articular in sizes:
        start = time.perf_counter()
        report = fr.FirstRay(mesh_size=mesh_size, articular_mesh_size=articular).mesh()
        wall = time.perf_counter() - start
        rows.append({"mesh_size_mm": mesh_size, "articular_mesh_size_mm": articular,
                     "nodes": report.n_nodes, "tetrahedra": report.n_tetrahedra,
                     "geometry_s": round(report.seconds["geometry"], 2),
                     "meshing_s": round(report.seconds["meshing"], 2),
                     "total_s": round(wall, 2),
                     "min_dihedral_deg": round(report.quality["min_dihedral_deg"], 2),
                     "slivers": report.quality["n_slivers"]})
        print_row(rows[-1])
    return rows


def solve_rows(cli, sizes, ranks_list):
    rows = []
    for mesh_size, articular in sizes:
        for ranks in ranks_list:
            with tempfile.TemporaryDirectory() as tmp:
                case = fr.FirstRay(mesh_size=mesh_size, articular_mesh_size=articular).standing_case(
                    output_directory=str(Path(tmp) / "out"))
                case["output"]["fields"] = False
                path = Path(tmp) / "case.json"
                path.write_text(json.dumps(case))
                cmd = [cli, "solve", str(path)]
                if ranks > 1:
                    cmd = ["mpirun", "--oversubscribe", "-np", str(ranks)] + cmd
                start = time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
                wall = time.perf_counter() - start
                if proc.returncode != 0:
                    sys.exit(f"solve failed: {proc.stderr}")
                s = json.loads((Path(tmp) / "out" / "summary.json").read_text())["solver"]
            t = s["wall_time"]
            rows.append({"mesh_size_mm": mesh_size, "ranks": ranks, "dofs": s["dofs"],
                         "cells": s["cells"], "geometry_s": round(t.get("geometry", 0), 2),
                         "meshing_s": round(t.get("meshing", 0), 2),
                         "assembly_s": round(t["assembly"], 2),
                         "factorisation_s": round(t["preconditioner"], 2),
                         "solve_s": round(t["solve"], 2), "end_to_end_s": round(wall, 2)})
            print_row(rows[-1])
    return rows


def print_row(row):
    print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)


def table(rows, title):
    if not rows:
        return
    keys = list(rows[0])
    widths = [max(len(k), *(len(str(r[k])) for r in rows)) for k in keys]
    print(f"\n{title}")
    print("  ".join(k.rjust(w) for k, w in zip(keys, widths)))
    for r in rows:
        print("  ".join(str(r[k]).rjust(w) for k, w in zip(keys, widths)))


def write_csv(rows, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="two coarse sizes, 1 rank")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = ap.parse_args()
    cli = os.environ.get("FIRSTRAY_CLI", str(ROOT / "build" / "firstray"))
    if args.quick:
        mesh_sizes, solve_sizes, ranks = [(5.0, 2.0), (4.0, 1.5)], [(5.0, 2.0)], [1]
    else:
        mesh_sizes = [(5.0, 2.0), (4.0, 1.5), (3.0, 1.2), (2.5, 1.0), (2.0, 0.8)]
        solve_sizes, ranks = [(4.0, 1.5), (3.0, 1.2), (2.5, 1.0)], [1, 2]
    m = mesh_rows(mesh_sizes)
    s = solve_rows(cli, solve_sizes, ranks)
    table(m, "first-ray meshing (1 process)")
    table(s, "first ray, balanced standing, P2, MUMPS Cholesky")
    out = Path(args.out)
    write_csv(m, out / "meshing.csv")
    write_csv(s, out / "standing.csv")
    print(f"\nwrote {out / 'meshing.csv'} and {out / 'standing.csv'}")


if __name__ == "__main__":
    main()
