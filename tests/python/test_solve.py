"""fr.solve from Python and `firstray solve` from the CLI: results, files, 1 vs 2 ranks."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import firstray as fr
from conftest import SOURCE_DIR, beam_case, run, write_case


def test_solve_dict_returns_consistent_result(beam_msh, tmp_path):
    result = fr.solve(beam_case(beam_msh, tmp_path / "out"))
    s = result.summary
    assert s["units"]["stress"] == "MPa"
    assert s["solver"]["ranks"] == 1
    n_nodes = len(result.points)
    assert result.displacement.shape == (n_nodes, 3)
    assert np.all(np.isfinite(result.displacement))
    vm = result.von_mises["block"]
    assert vm.ndim == 1 and vm.size == s["regions"]["block"]["n_quadrature_points"]
    # Summary statistics are those of the returned arrays (numpy's linear percentile).
    assert s["regions"]["block"]["max_von_mises"] == pytest.approx(vm.max(), rel=1e-12)
    assert s["regions"]["block"]["p99_von_mises"] == pytest.approx(np.percentile(vm, 99), rel=1e-12)
    assert s["regions"]["block"]["volume"] == pytest.approx(4000.0, rel=1e-12)
    # Reactions balance the applied force and the 0.1 MPa pressure on the 40 x 10 face.
    applied = np.array([0.0, 5.0, -40.0 - 0.1 * 400.0])
    total = sum(np.array(v["reaction_force"]) for v in s["surfaces"].values())
    assert np.allclose(total + applied, 0.0, atol=1e-8 * np.linalg.norm(applied))
    assert np.allclose(result.reaction_force("x0"), s["surfaces"]["x0"]["reaction_force"])
    # Files: summary.json and ParaView output.
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert written["regions"] == s["regions"]
    assert (tmp_path / "out" / "solution.pvd").exists()
    assert any(f.endswith(".pvtu") for f in result.files)


def test_path_and_dict_agree_and_relative_paths_resolve(beam_msh, tmp_path):
    case_dir = tmp_path / "cases"
    case_dir.mkdir()
    (case_dir / "beam.msh").write_bytes(Path(beam_msh).read_bytes())
    case = beam_case("beam.msh", "results/here")
    path = write_case(case_dir / "beam.json", case)
    from_file = fr.solve(path)
    assert (case_dir / "results" / "here" / "summary.json").exists()
    from_dict = fr.solve(case, base_directory=case_dir)
    assert np.allclose(from_file.displacement, from_dict.displacement, rtol=0, atol=1e-12)


def test_in_memory_mesh_and_write_formats(tmp_path):
    mesh = fr.make_box((4, 2, 2), (20.0, 5.0, 5.0))
    assert mesh.region_names == ["block"]
    assert set(mesh.surface_names) == {"x0", "x1", "y0", "y1", "z0", "z1"}
    case = beam_case("unused", "")
    del case["mesh"]
    result = fr.solve(case, mesh=mesh)
    out = result.write(tmp_path / "r.vtu")
    import meshio

    back = meshio.read(out)
    assert np.allclose(back.point_data["displacement"], result.displacement)
    assert result.write(tmp_path / "s.json").exists()
    assert "DoFs" in repr(result)
    assert "block" in result.table()


def test_cli_one_and_two_ranks_agree(cli, mpirun, beam_msh, tmp_path):
    for ranks in (1, 2):
        case = write_case(tmp_path / f"case{ranks}.json", beam_case(beam_msh, tmp_path / f"out{ranks}"))
        cmd = [cli, "solve", str(case)] if ranks == 1 else [mpirun, "-np", "2", cli, "solve", str(case)]
        proc = run(cmd)
        assert proc.returncode == 0, proc.stderr
        assert "DoFs on %d rank" % ranks in proc.stdout
    one = json.loads((tmp_path / "out1" / "summary.json").read_text())
    two = json.loads((tmp_path / "out2" / "summary.json").read_text())
    assert two["solver"]["ranks"] == 2
    assert one["solver"]["dofs"] == two["solver"]["dofs"]
    for name, r in one["regions"].items():
        for key in ("volume", "max_von_mises", "p99_von_mises", "max_principal_stress"):
            assert two["regions"][name][key] == pytest.approx(r[key], rel=1e-8), key
    for name, s in one["surfaces"].items():
        assert np.allclose(two["surfaces"][name]["reaction_force"], s["reaction_force"], rtol=0, atol=1e-7)
    # The 2-rank run writes one .vtu per rank under one .pvtu record.
    assert len(list((tmp_path / "out2").glob("solution_01.*.vtu"))) == 2 or \
        len(list((tmp_path / "out2").glob("*.vtu"))) == 2


def test_cli_help(cli):
    proc = run([cli, "--help"])
    assert proc.returncode == 0 and "firstray solve" in proc.stdout and "mm, N, MPa" in proc.stdout
    proc = run([cli, "solve", "--help"])
    assert proc.returncode == 0
    for word in ("materials", "boundary_conditions", "pressure", "components", "steps", "output",
                 "geometry", "load_case", "tied", "inexact_newton", "rigid", "motions"):
        assert word in proc.stdout


def test_readme_case_reference_is_the_cli_help(cli):
    """README's case-file block is `firstray solve --help`, verbatim: a stale copy fails."""
    help_text = run([cli, "solve", "--help"]).stdout
    readme = (SOURCE_DIR / "README.md").read_text()
    start = readme.index("From `firstray solve --help`:")
    block = readme[readme.index("```text\n", start) + len("```text\n"):]
    block = block[:block.index("```")]
    # The CLI prints the usage line before the text README shows.
    body = help_text[help_text.index("Solves an elastic analysis"):]
    assert block == body, "README.md's case reference is stale: paste `firstray solve --help`"


def test_load_steps_scale_the_solution(beam_msh, tmp_path):
    result = fr.solve(beam_case(beam_msh, tmp_path / "o", steps={"count": 3}))
    pvd = (tmp_path / "o" / "solution.pvd").read_text()
    assert pvd.count("<DataSet") == 3


def test_paraview_files_hold_all_fields(beam_msh, tmp_path):
    import meshio

    for degree in (1, 2):
        out = tmp_path / f"o{degree}"
        fr.solve(beam_case(beam_msh, out, element={"degree": degree}))
        pieces = sorted(out.glob("*.vtu"))
        assert pieces, "no .vtu written"
        data = meshio.read(pieces[0])  # fails on an invalid file
        assert sum(len(c.data) for c in data.cells) > 0
        for name in ("displacement", "stress", "von_mises"):
            assert name in data.point_data, (name, list(data.point_data))
        assert data.point_data["displacement"].shape[1] == 3
        assert data.point_data["stress"].shape[1] == 9
        # deal.II writes cell data per patch vertex: region ids are whole numbers.
        region = data.point_data["region_id"]
        assert np.all(region == np.round(region)) and region.min() >= 0
        assert np.all(np.isfinite(data.point_data["von_mises"]))


def test_neo_hookean_case_runs_newton_and_matches_uniaxial_closed_form(beam_msh, tmp_path):
    """A finite-strain law makes the analysis Newton-based; stretching the 40 mm beam by
    20 % with symmetry planes gives the closed-form uniaxial Neo-Hookean force."""
    E, nu = 10.0, 0.3
    mu, lam = E / (2 * (1 + nu)), E * nu / ((1 + nu) * (1 - 2 * nu))
    l1 = 1.2
    l2 = 1.0
    for _ in range(50):  # lateral stretch from S22 = 0
        g = mu * (l2 * l2 - 1) + lam * np.log(l1 * l2 * l2)
        l2 -= g / (2 * mu * l2 + 2 * lam / l2)
    p11 = l1 * (mu * (1 - 1 / l1**2) + lam * np.log(l1 * l2 * l2) / l1**2)
    case = beam_case(
        beam_msh, tmp_path / "out",
        materials={"block": {"law": "neo-hookean", "E": E, "nu": nu}},
        boundary_conditions=[
            {"surface": "x0", "type": "fixed", "components": ["x"]},
            {"surface": "y0", "type": "fixed", "components": ["y"]},
            {"surface": "z0", "type": "fixed", "components": ["z"]},
            {"surface": "x1", "type": "displacement", "value": [8.0, 0, 0], "components": ["x"]},
        ],
        steps={"count": 2},
    )
    s = fr.solve(case).summary
    assert s["analysis"].startswith("finite strain")
    newton = s["solver"]["newton"]
    assert newton["load_factors"][-1] == pytest.approx(1.0)
    assert np.mean(newton["iterations_per_step"]) <= 8
    # Each step's residual history: its first residual and one per iteration, ending
    # below newton_rtol (1e-8) of the first, the last iterations at Newton's quadratic rate.
    residuals = newton["residuals_per_step"]
    assert [len(h) for h in residuals] == [n + 1 for n in newton["iterations_per_step"]]
    for h in residuals:
        assert h[-1] <= 1e-8 * h[0]
        assert h[-1] < 1e-2 * h[-2]
    area = s["surfaces"]["x1"]["area"]
    assert s["surfaces"]["x1"]["reaction_force"][0] == pytest.approx(p11 * area, rel=1e-6)
    # Every converged step was written.
    assert (tmp_path / "out" / "solution.pvd").read_text().count("<DataSet") == len(newton["load_factors"])
