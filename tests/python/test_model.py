"""A model meshed once and solved many times, progress callbacks and bars, Ctrl-C, and
fresh output directories (issue 12 section 6)."""
from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest

import firstray as fr
from conftest import SOURCE_DIR, beam_case

COARSE = {"mesh_size": 4.0, "articular_mesh_size": 1.5}
LINEAR = {
    "*/cortical": {"law": "linear-elastic", "E": 17000.0, "nu": 0.3},
    "*/cancellous": {"law": "linear-elastic", "E": 500.0, "nu": 0.3},
    "cartilage/*": {"law": "linear-elastic", "E": 10.0, "nu": 0.4},
}


def _standing(ray: fr.FirstRay, body_weight: float) -> dict:
    case = ray.standing_case(body_weight=body_weight)
    case["materials"] = LINEAR
    return case


def test_first_ray_model_meshes_once_and_matches_fresh_runs(tmp_path):
    ray = fr.FirstRay(**COARSE)
    model = ray.model()
    a = model.solve(_standing(ray, 700.0), base_directory=tmp_path)
    b = model.solve(_standing(ray, 350.0), base_directory=tmp_path)
    assert model.meshings == 1 and model.solves == 2
    # The same answers as two fresh runs that mesh the first ray themselves.
    fresh_a = fr.solve(_standing(ray, 700.0), base_directory=tmp_path)
    fresh_b = fr.solve(_standing(ray, 350.0), base_directory=tmp_path)
    assert np.abs(a.displacement - fresh_a.displacement).max() <= 1e-12 * np.abs(
        fresh_a.displacement).max()
    assert np.abs(b.displacement - fresh_b.displacement).max() <= 1e-12 * np.abs(
        fresh_b.displacement).max()
    # Linear: half the body weight, half the displacement (the loads are prescribed).
    assert np.allclose(b.displacement, 0.5 * a.displacement, rtol=0,
                       atol=1e-9 * np.abs(a.displacement).max())
    # Each run wrote into its own directory.
    dirs = {os.path.dirname(f) for r in (a, b, fresh_a, fresh_b) for f in r.files
            if f.endswith("summary.json")}
    assert len(dirs) == 4 and all(d.startswith(str(tmp_path)) for d in dirs)
    # The mesh of FirstRay.mesh() carries the model: a load_case works with it.
    report = ray.mesh()
    c = fr.solve(_standing(ray, 700.0), mesh=report.mesh, base_directory=tmp_path)
    assert np.array_equal(c.displacement, a.displacement)
    assert model.meshings == 1


def test_a_mesh_model_refuses_a_first_ray_load_case(beam_msh, tmp_path):
    model = fr.Model(fr.read_msh(beam_msh))
    case = beam_case(beam_msh, tmp_path / "o")
    first = model.solve(case)
    assert first.summary["solver"]["dofs"] > 0
    case["load_case"] = {"type": "standing"}
    with pytest.raises(ValueError, match="load_case"):
        model.solve(case)


def test_default_materials_are_the_shipped_case(tmp_path):
    shipped = json.loads((SOURCE_DIR / "examples/cases/first_ray_standing.json").read_text())
    case = fr.FirstRay().standing_case()
    assert case["materials"] == {k: {kk: (float(vv) if isinstance(vv, (int, float)) else vv)
                                     for kk, vv in v.items()}
                                 for k, v in shipped["materials"].items()}
    assert case["element"] == shipped["element"] and case["solver"] == shipped["solver"]


def _nonlinear_beam(beam_msh, out, steps=3):
    case = beam_case(beam_msh, out, steps={"count": steps})
    case["materials"] = {"block": {"law": "neo-hookean", "E": 200.0, "nu": 0.3}}
    case["solver"] = {"type": "mumps"}
    return case


def test_progress_callback_sees_every_iteration(beam_msh, tmp_path):
    events = []
    result = fr.solve(_nonlinear_beam(beam_msh, tmp_path / "o"), progress=events.append)
    s = result.summary
    iterations = [e for e in events if e.event == "iteration"]
    steps = [e for e in events if e.event == "step_converged"]
    assert len(steps) == len(s["solver"]["newton"]["iterations_per_step"])
    assert len(iterations) == sum(s["solver"]["newton"]["iterations_per_step"])
    assert all(e.residual > 0 for e in iterations)
    assert events[-1].fraction == pytest.approx(1.0)
    # A progress bar (tqdm) runs too.
    fr.solve(_nonlinear_beam(beam_msh, tmp_path / "bar"), progress=True)


def test_callback_exception_stops_the_solve(beam_msh, tmp_path):
    class Stop(Exception):
        pass

    def callback(event):
        if event.event == "step_converged":
            raise Stop("enough")

    with pytest.raises(Stop, match="enough"):
        fr.solve(_nonlinear_beam(beam_msh, tmp_path / "o"), progress=callback)
    assert (tmp_path / "o" / "summary.failed.json").exists()
    assert not (tmp_path / "o" / "summary.json").exists()


def test_ctrl_c_stops_within_the_solve_and_keeps_converged_steps(beam_msh, tmp_path):
    def callback(event):
        if event.event == "step_converged" and event.step == 1:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C / a kernel interrupt sends

    with pytest.raises(KeyboardInterrupt, match="interrupted"):
        fr.solve(_nonlinear_beam(beam_msh, tmp_path / "o"), progress=callback)
    failed = json.loads((tmp_path / "o" / "summary.failed.json").read_text())
    assert len(failed["solver"]["newton"]["iterations_per_step"]) == 1
    # Python's own Ctrl-C handling is back afterwards.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # And the next solve runs normally.
    assert fr.solve(_nonlinear_beam(beam_msh, tmp_path / "again")).summary["solver"]["dofs"] > 0


def test_stress_strain_arrays_and_reading_a_run_back(beam_msh, tmp_path):
    result = fr.solve(beam_case(beam_msh, tmp_path / "o"))
    sigma = result.stress("block")
    points = result.quadrature_points("block")
    assert sigma.shape == (len(result.von_mises["block"]), 3, 3) == (len(points), 3, 3)
    assert np.allclose(sigma, np.transpose(sigma, (0, 2, 1)))
    s = sigma - np.trace(sigma, axis1=1, axis2=2)[:, None, None] / 3 * np.eye(3)
    vm = np.sqrt(1.5 * np.einsum("nij,nij->n", s, s))
    assert np.allclose(vm, result.von_mises["block"], rtol=1e-10, atol=1e-12)
    principal = result.principal_stress("block")
    assert np.all(principal[:, 0] >= principal[:, 1]) and np.all(principal[:, 1] >= principal[:, 2])
    assert np.allclose(principal.sum(axis=1), np.trace(sigma, axis1=1, axis2=2),
                       rtol=0, atol=1e-9 * np.abs(sigma).max())
    # Linear elasticity: sigma = lambda tr(eps) I + 2 mu eps at every point.
    eps = result.strain("block")
    E, nu = 17000.0, 0.3
    lam, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    hooke = lam * np.trace(eps, axis1=1, axis2=2)[:, None, None] * np.eye(3) + 2 * mu * eps
    assert np.allclose(hooke, sigma, rtol=0, atol=1e-9 * np.abs(sigma).max())
    assert points[:, 0].min() >= 0 and points[:, 0].max() <= 40.0
    # Read back from disk.
    run = fr.load(tmp_path / "o")
    assert not run.failed and run.summary["regions"] == result.summary["regions"]
    assert len(run.steps) == 1
    assert np.abs(run.displacement).max() == pytest.approx(np.abs(result.displacement).max(),
                                                           rel=1e-6)
    with pytest.raises(ValueError, match="summary"):
        fr.load(tmp_path)


def test_contact_point_arrays_on_a_rigid_plane(beam_msh, tmp_path):
    # The beam pressed onto a rigid plane by 100 N, held only in x and y at one end.
    case = beam_case(beam_msh, tmp_path / "c")
    case["boundary_conditions"] = [
        {"surface": "x0", "type": "fixed", "components": ["x", "y"]},
        {"surface": "z1", "type": "force", "value": [0.0, 0.0, -100.0]},
    ]
    case["contact"] = [{"surface": "z0", "name": "ground",
                        "rigid": {"type": "plane", "point": [0, 0, 0], "normal": [0, 0, 1]}}]
    case.pop("solver")
    result = fr.solve(case)
    c = result.contact_points
    assert set(c["pair"]) == {"ground"}
    force = np.sum(c["pressure"] * c["area"])
    assert force == pytest.approx(100.0, rel=1e-6)
    assert force == pytest.approx(result.summary["contact"]["ground"]["normal_force"][2], rel=1e-9)
    assert np.all(c["pressure"] >= 0) and np.all(c["state"][c["pressure"] > 0] == 2)
    run = fr.load(tmp_path / "c")
    assert np.sum(run.contact_points["contact_pressure"] * run.contact_points["area"]) == \
        pytest.approx(100.0, rel=1e-5)
