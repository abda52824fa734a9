"""STL bone import from Python (issue 3, section 3): a bone exported from the
parametric model, meshed with a cortical shell and named patches, solved; broken
surfaces rejected with a message naming the file."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import firstray as fr

STL = Path(__file__).resolve().parents[1] / "data" / "stl"
R, L = 6.85, 56.4   # default metatarsal head radius and length, mm


def stl_volume(path: Path) -> float:
    import meshio

    m = meshio.read(path)
    tri = m.points[m.cells_dict["triangle"]]
    return float(np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum() / 6.0)


def bone(**extra):
    spec = {"name": "metatarsal1", "stl": STL / "metatarsal1.stl", "cortical_thickness": 1.5,
            "patches": [{"name": "mtp", "centre": [R, 0, 0], "radius": 5.0, "cartilage_thickness": 0.9},
                        {"name": "base", "centre": [R - L, 0, 0], "radius": 7.0}]}
    spec.update(extra)
    return spec


def test_imported_bone_volume_names_and_solve(tmp_path):
    mesh = fr.import_bones([bone()], mesh_size=2.5)
    assert set(mesh.region_names) == {"metatarsal1/cortical", "metatarsal1/cancellous",
                                      "cartilage/metatarsal1_mtp"}
    assert {"metatarsal1/surface", "metatarsal1/mtp", "metatarsal1/base"} <= set(mesh.surface_names)
    p = mesh.points[mesh.tetrahedra]
    vol = np.abs(np.einsum("ij,ij->i", np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), p[:, 3] - p[:, 0])) / 6
    region = mesh.tetrahedron_region
    bone_volume = sum(vol[region == mesh.region_names.index(n)].sum()
                      for n in ("metatarsal1/cortical", "metatarsal1/cancellous"))
    # Remeshing at 2.5 mm loses a little volume on the chords (README: ~1-2 %).
    assert bone_volume == pytest.approx(stl_volume(STL / "metatarsal1.stl"), rel=0.03)
    case = {"element": {"degree": 1},
            "materials": {"*/cortical": {"law": "linear-elastic", "E": 17000, "nu": 0.3},
                          "*/cancellous": {"law": "linear-elastic", "E": 500, "nu": 0.3},
                          "cartilage/*": {"law": "linear-elastic", "E": 10, "nu": 0.4}},
            "boundary_conditions": [{"surface": "metatarsal1/base", "type": "fixed"},
                                    {"surface": "metatarsal1/surface", "type": "force",
                                     "value": [0.0, 0.0, 20.0]}],
            "solver": {"type": "mumps"}, "output": {"directory": ""}}
    result = fr.solve(case, mesh=mesh)
    assert result.summary["regions"]["cartilage/metatarsal1_mtp"]["volume"] > 0
    assert result.reaction_force("metatarsal1/base")[2] == pytest.approx(-20.0, rel=1e-8)


def test_broken_surfaces_are_rejected(tmp_path):
    import meshio

    m = meshio.read(STL / "proximal_phalanx.stl")
    tri = m.cells_dict["triangle"]
    open_path = tmp_path / "open.stl"
    meshio.write(open_path, meshio.Mesh(m.points, [("triangle", tri[:-3])]), binary=False)
    with pytest.raises(ValueError, match="not closed"):
        fr.import_bones([{"name": "pp", "stl": open_path}])
    with pytest.raises(ValueError, match="does not exist"):
        fr.import_bones([{"name": "pp", "stl": tmp_path / "missing.stl"}])
    flat = tmp_path / "flat.stl"
    pts = m.points.copy()
    pts[:, 2] = 0.0
    meshio.write(flat, meshio.Mesh(pts, [("triangle", tri)]), binary=False)
    with pytest.raises(ValueError):
        fr.import_bones([{"name": "pp", "stl": flat}])
    with pytest.raises(ValueError, match="unknown key"):
        fr.import_bones([{"name": "pp", "stl": open_path, "thickness": 1}])
