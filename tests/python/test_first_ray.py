"""The parametric first ray from Python: report, names, .msh export, a case with
"geometry", bad parameters, and (slow) the robustness sweep of issue 3."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

import firstray as fr
from conftest import run, write_case

COARSE = {"mesh_size": 4.0, "articular_mesh_size": 1.5}


@pytest.fixture(scope="module")
def report():
    return fr.FirstRay(**COARSE).mesh()


def test_report_names_sizes_quality(report, tmp_path):
    names = {n for n, _, _ in fr.FirstRay.names()}
    assert names == set(report.regions) | set(report.surfaces)
    mt = report.regions["metatarsal1/cortical"]["bounding_box"]
    assert mt[1, 0] - mt[0, 0] == pytest.approx(56.4, rel=0.01)       # length, mm
    assert mt[1, 1] - mt[0, 1] == pytest.approx(13.7, rel=0.02)       # head width, mm
    assert report.quality["n_inverted"] == 0
    assert report.quality["min_dihedral_deg"] > 0.3
    assert report.n_tetrahedra == sum(r["n_tetrahedra"] for r in report.regions.values())
    assert report.surfaces["cuneiform/proximal"]["area"] > 100.0
    assert set(report.joints) == {"mtp", "ip", "tmt", "sesamoid_medial", "sesamoid_lateral"}
    # .msh export keeps every physical name
    path = tmp_path / "ray.msh"
    fr.FirstRay(**COARSE).write_msh(path)
    back = fr.read_msh(path)
    assert set(back.region_names) == set(report.regions)
    assert back.n_tetrahedra == report.n_tetrahedra


def test_geometry_case_solves_and_balances(report):
    model = fr.FirstRay(**COARSE)
    case = model.standing_case(body_weight=700.0, degree=1)
    result = fr.solve(case)
    s = result.summary
    total = sum(abs(v["reaction_force"][2]) for v in s["surfaces"].values()
                if v["reaction_force"][2] < 0)
    # 700 N standing: 98.35/3 N under the first metatarsal head region + 8.4 N hallux.
    assert total == pytest.approx(98.35 / 3 + 8.4, rel=1e-6)
    assert s["sections"]["mtp"]["force"][2] == pytest.approx(-8.4, rel=1e-6)
    assert set(s["groups"]) == {"metatarsal1", "proximal_phalanx", "distal_phalanx",
                                "medial_cuneiform", "sesamoid_medial", "sesamoid_lateral"}


@pytest.mark.parametrize("params, message", [
    ({"cortical_thickness": 3.9}, "cortical_thickness"),
    ({"joint_space": -0.2}, "joint_space"),
    ({"mtp_dorsiflexion_deg": 120}, "mtp_dorsiflexion_deg"),
    ({"side": "middle"}, "side"),
    ({"toes": 5}, "toes"),
])
def test_bad_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        fr.FirstRay(**params)


def test_cli_mesh_command(cli, tmp_path):
    out = tmp_path / "ray.msh"
    proc = run([cli, "mesh", "first-ray", "--set", "mesh_size=4", "--set",
                "articular_mesh_size=1.5", "-o", str(out)])
    assert proc.returncode == 0, proc.stderr
    assert "quality:" in proc.stdout and "cartilage/mtp_phalanx" in proc.stdout
    assert out.exists()
    bad = run([cli, "mesh", "first-ray", "--set", "joint_space=-1"])
    assert bad.returncode == 2 and "first_ray.joint_space" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_case_geometry_errors(cli, tmp_path):
    case = fr.FirstRay().standing_case()
    case["geometry"]["first_ray"]["head_radius"] = 30.0
    path = write_case(tmp_path / "bad.json", case)
    proc = run([cli, "solve", str(path)])
    assert proc.returncode == 2 and "head_radius" in proc.stderr
    case = fr.FirstRay().standing_case()
    case["mesh"] = "x.msh"
    with pytest.raises(ValueError, match="not both"):
        fr.solve(case)


@pytest.mark.slow
def test_twenty_random_parameter_sets_mesh_and_solve():
    """Robustness (issue 3): 20 random valid parameter sets all mesh and solve.
    Long (~10 min): run with `pytest -m slow`."""
    rng = random.Random(2026)
    failures = []
    for trial in range(20):
        params = dict(COARSE)
        params.update({
            "scale": rng.uniform(0.85, 1.15),
            "metatarsal_length": rng.uniform(48, 62),
            "metatarsal_width": rng.uniform(11.5, 15),
            "proximal_phalanx_length": rng.uniform(24, 32),
            "cortical_thickness": 0.0,  # drawn below, within what the bones allow
            "cartilage_thickness": rng.uniform(0.6, 1.4),
            "joint_space": rng.uniform(0.1, 0.4),
            "mtp_dorsiflexion_deg": rng.uniform(-10, 30),
            "ip_flexion_deg": rng.uniform(0, 20),
            "side": rng.choice(["left", "right"]),
        })
        params["head_radius"] = 0.5 * params["metatarsal_width"]
        # valid: below 60 % of the thinnest bone radius (the IP condyle, 0.62 x 0.6 R)
        thinnest = min(3.8, 0.34 * params["metatarsal_width"], 0.6 * 0.62 * params["head_radius"])
        params["cortical_thickness"] = rng.uniform(0.6, 0.55 * thinnest)
        try:
            result = fr.solve(fr.FirstRay(**params).standing_case(degree=1))
            hallux = 2.0 / 3.0 * 0.036 * 0.5 * 700.0
            force = result.summary["sections"]["mtp"]["force"][2]
            if abs(force + hallux) > 1e-5 * hallux:
                failures.append((trial, params, f"mtp force {force}"))
        except (ValueError, RuntimeError) as error:
            failures.append((trial, params, str(error)))
        print(f"trial {trial}: {'ok' if not failures or failures[-1][0] != trial else failures[-1][2]}",
              flush=True)
    assert not failures, failures


def test_contact_joints_mesh_both_facing_surfaces():
    """joints="contact" keeps the joint space open and names both facing surfaces (the
    contact pairs and capsule tethers built on them are tested in C++:
    FirstRayContact.JointsBecomeContactPairsWithCapsules)."""
    model = fr.FirstRay(joints="contact", joint_space=0.02, **COARSE)
    report = model.mesh()
    for joint in ("mtp", "ip"):
        a = report.surfaces[f"{joint}/{'metatarsal' if joint == 'mtp' else 'proximal'}_side"]
        b = report.surfaces[f"{joint}/{'phalanx' if joint == 'mtp' else 'distal'}_side"]
        assert a["area"] > 10.0 and b["area"] > 10.0
