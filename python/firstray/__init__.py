"""firstray: finite-element mechanics of the human first ray (big toe).

Units everywhere: mm, N, MPa, s (stress in MPa, stiffness in N/mm).

Quick use::

    import firstray as fr
    result = fr.solve("examples/cases/bone_shaft_bending.json")   # or a dict
    result.summary["regions"]["cortical"]["max_von_mises"]       # MPa
    result.displacement                                          # (n_nodes, 3) mm
    result.von_mises["cortical"]                                 # MPa per quadrature point
    result.write("bending.vtu")                                  # ParaView / meshio

Errors in the input raise ``ValueError`` naming the key, file, region or surface;
a solve that fails raises ``RuntimeError`` saying what was tried.
"""
from __future__ import annotations

from ._first_ray import FirstRay, MeshReport
from ._load import LoadedRun, load
from ._mesh import Mesh, import_bones, make_box, read_msh
from ._core import Progress
from ._solve import (Model, Result, case_schema, material_laws, material_parameters,
                     normalize_case, solve)

__version__ = "0.1.0"

__all__ = [
    "FirstRay",
    "LoadedRun",
    "MeshReport",
    "Mesh",
    "Model",
    "Progress",
    "Result",
    "case_schema",
    "import_bones",
    "load",
    "make_box",
    "material_laws",
    "material_parameters",
    "normalize_case",
    "read_msh",
    "solve",
    "__version__",
]
