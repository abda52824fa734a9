"""Bad input: every case gives a clear error naming what is wrong, from the CLI
(exit code 2, one line on stderr) and from Python (ValueError)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import firstray as fr
from conftest import beam_case, run, write_case


def _variants(beam_msh: Path, tmp_path: Path) -> dict[str, tuple[object, str]]:
    """name -> (case dict or raw text, text the message must contain)."""
    surface_only = Path(__file__).resolve().parents[1] / "data" / "square_2d.msh"
    good = beam_case(beam_msh, "")
    bad_e = beam_case(beam_msh, "")
    bad_e["materials"]["block"]["E"] = 0.0
    bad_nu = beam_case(beam_msh, "")
    bad_nu["materials"]["block"]["nu"] = 0.5
    bad_nu_low = beam_case(beam_msh, "")
    bad_nu_low["materials"]["block"]["nu"] = -1.5
    unknown_region = beam_case(beam_msh, "")
    unknown_region["materials"] = {"bone": {"law": "linear-elastic", "E": 1.0, "nu": 0.3}}
    unknown_surface = beam_case(beam_msh, "")
    unknown_surface["boundary_conditions"][0]["surface"] = "floor"
    unknown_key = dict(good, solverr={})
    missing_mesh = beam_case(tmp_path / "missing.msh", "")
    no_tets = beam_case(surface_only, "")
    return {
        "E<=0": (bad_e, "materials.block.E"),
        "nu=0.5": (bad_nu, "materials.block.nu"),
        "nu<-1": (bad_nu_low, "materials.block.nu"),
        "unknown region": (unknown_region, "unknown region 'bone'"),
        "unknown surface": (unknown_surface, "unknown surface 'floor'"),
        "unknown key": (unknown_key, "solverr: unknown key"),
        "missing mesh": (missing_mesh, "missing.msh' does not exist"),
        "no tetrahedra": (no_tets, "contains no tetrahedra"),
        "malformed JSON": ('{"mesh": "a.msh", "materials": {', "malformed JSON"),
    }


CASES = ["E<=0", "nu=0.5", "nu<-1", "unknown region", "unknown surface", "unknown key",
         "missing mesh", "no tetrahedra", "malformed JSON"]


@pytest.mark.parametrize("name", CASES)
def test_cli_reports_bad_input(name, cli, beam_msh, tmp_path):
    case, expected = _variants(beam_msh, tmp_path)[name]
    path = tmp_path / "bad.json"
    path.write_text(case if isinstance(case, str) else json.dumps(case))
    proc = run([cli, "solve", str(path)])
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("firstray: error:")
    assert expected in lines[0]


@pytest.mark.parametrize("name", CASES)
def test_python_raises_value_error(name, beam_msh, tmp_path):
    case, expected = _variants(beam_msh, tmp_path)[name]
    if isinstance(case, str):
        path = tmp_path / "bad.json"
        path.write_text(case)
        case = path
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        fr.solve(case)


def test_missing_case_file_and_wrong_type(cli, tmp_path):
    proc = run([cli, "solve", str(tmp_path / "nope.json")])
    assert proc.returncode == 2 and "nope.json' does not exist" in proc.stderr
    with pytest.raises(ValueError, match="does not exist"):
        fr.solve(tmp_path / "nope.json")
    with pytest.raises(TypeError):
        fr.solve(42)
    with pytest.raises(ValueError, match="not a finite number"):
        fr.solve({"mesh": "x.msh", "materials": {"a": {"law": "linear-elastic", "E": float("nan"), "nu": 0.3}}})


def test_failed_solve_raises_runtime_error_and_keeps_old_results(beam_msh, tmp_path):
    out = tmp_path / "out"
    fr.solve(beam_case(beam_msh, out))
    before = (out / "summary.json").read_text()
    floating = beam_case(beam_msh, out)
    floating["boundary_conditions"] = [{"surface": "x1", "type": "force", "value": [1.0, 0.0, 0.0]}]
    floating["solver"] = {"max_iterations": 30}
    with pytest.raises(RuntimeError, match="did not converge"):
        fr.solve(floating)
    assert (out / "summary.json").read_text() == before


def test_cli_failed_solve_exit_code(cli, beam_msh, tmp_path):
    floating = beam_case(beam_msh, "")
    floating["boundary_conditions"] = [{"surface": "x1", "type": "force", "value": [1.0, 0.0, 0.0]}]
    floating["solver"] = {"max_iterations": 30}
    proc = run([cli, "solve", str(write_case(tmp_path / "f.json", floating))])
    assert proc.returncode == 3
    assert "solve failed" in proc.stderr and "did not converge" in proc.stderr


def test_material_introspection():
    assert "linear-elastic" in fr.material_laws()
    names = {p["name"]: p for p in fr.material_parameters("linear-elastic")}
    assert names["nu"]["range"] == "(-1, 0.5)" and names["E"]["unit"] == "MPa"
    with pytest.raises(ValueError, match="unknown material law"):
        fr.material_parameters("jelly")
