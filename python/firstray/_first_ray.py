"""The parametric first ray: build, inspect and mesh it from Python."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np

from . import _core
from ._mesh import Mesh


@dataclass
class MeshReport:
    """What :meth:`FirstRay.mesh` returns. Lengths in mm, volumes in mm^3, areas in mm^2.

    Attributes:
        mesh: the tetrahedral mesh (pass it to :func:`firstray.solve` as ``mesh=``).
        n_nodes, n_tetrahedra: counts.
        regions: name -> {"n_tetrahedra", "volume", "bounding_box" (2x3 array)}.
        surfaces: name -> {"n_triangles", "area"}.
        quality: {"min_dihedral_deg", "max_dihedral_deg", "max_aspect_ratio",
            "n_slivers", "n_inverted"}.
        joints: joint name -> its cartilage layers and facing surfaces.
        seconds: {"geometry", "meshing"} wall times.
    """

    mesh: Mesh
    n_nodes: int
    n_tetrahedra: int
    regions: dict[str, dict[str, Any]] = field(default_factory=dict)
    surfaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    quality: dict[str, float] = field(default_factory=dict)
    joints: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        q = self.quality
        return (f"MeshReport({self.n_tetrahedra} tetrahedra, {len(self.regions)} regions, "
                f"{len(self.surfaces)} surfaces, min dihedral {q['min_dihedral_deg']:.2f} deg)")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("first_ray: booleans are not parameters")
    return repr(float(value)) if isinstance(value, (int, float)) else str(value)


class FirstRay:
    """The parametric first ray (first metatarsal, phalanges, medial cuneiform,
    sesamoids, cartilage of the MTP, IP, TMT and sesamoid joints).

    Keyword arguments are the parameters of ``firstray mesh --help`` (mm, degrees),
    e.g. ``FirstRay(metatarsal_length=50, mtp_dorsiflexion_deg=20, side="left")``.

    Raises:
        ValueError: an unknown parameter, a value out of range, or an inconsistent set
            (the message names each parameter at fault).
    """

    def __init__(self, **parameters: Union[float, str]) -> None:
        self._given = {k: _text(v) for k, v in parameters.items()}
        self.parameters: dict[str, str] = dict(_core.validate_first_ray(self._given))
        self._built = None
        self._model = None

    @staticmethod
    def parameter_table() -> list[dict]:
        """Every numeric parameter with its unit, default and valid range."""
        return list(_core.first_ray_parameter_specs())

    @staticmethod
    def names() -> list[tuple[str, int, str]]:
        """Every region (dim 3) and surface (dim 2) name of the model, with a description."""
        return list(_core.first_ray_names())

    def _build(self):
        if self._built is None:
            self._built = _core.build_first_ray(self._given)
        return self._built

    def mesh(self) -> MeshReport:
        """Build and mesh the model (cached), and report counts, names, sizes, quality."""
        built = self._build()
        data = built.mesh
        points = np.asarray(data.points)
        tets = np.asarray(data.tetrahedra, dtype=np.int64)
        region = np.asarray(data.tetrahedron_region)
        p = points[tets]
        volume = np.abs(np.einsum("ij,ij->i", np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]),
                                  p[:, 3] - p[:, 0])) / 6.0
        regions = {}
        for i, name in enumerate(data.region_names):
            mask = region == i
            nodes = points[np.unique(tets[mask])]
            regions[name] = {"n_tetrahedra": int(mask.sum()), "volume": float(volume[mask].sum()),
                             "bounding_box": np.array([nodes.min(axis=0), nodes.max(axis=0)])}
        tris = np.asarray(data.triangles, dtype=np.int64)
        surf = np.asarray(data.triangle_surface)
        q = points[tris]
        area = 0.5 * np.linalg.norm(np.cross(q[:, 1] - q[:, 0], q[:, 2] - q[:, 0]), axis=1)
        surfaces = {name: {"n_triangles": int((surf == i).sum()), "area": float(area[surf == i].sum())}
                    for i, name in enumerate(data.surface_names)}
        qr = built.quality
        quality = {"min_dihedral_deg": qr.min_dihedral_deg, "max_dihedral_deg": qr.max_dihedral_deg,
                   "max_aspect_ratio": qr.max_aspect_ratio, "n_slivers": qr.n_slivers,
                   "n_inverted": qr.n_inverted}
        mesh = Mesh(data)
        mesh._model = self.model()  # fr.solve(case, mesh=...) then expands load_case and joints
        return MeshReport(mesh=mesh, n_nodes=len(points), n_tetrahedra=len(tets),
                          regions=regions, surfaces=surfaces, quality=quality,
                          joints=dict(built.joints),
                          seconds={"geometry": built.geometry_seconds,
                                   "meshing": built.meshing_seconds})

    def model(self) -> "Model":
        """The :class:`firstray.Model` of this first ray: meshed once (cached), solved
        any number of times."""
        if self._model is None:
            from ._solve import Model

            self._model = Model(self)
        return self._model

    def solve(self, case: Union[dict, str, None] = None, **kwargs) -> "Result":
        """Solve ``case`` (default: :meth:`standing_case`) on this first ray without
        re-meshing; keyword arguments as :meth:`firstray.Model.solve` (``progress``,
        ``output_directory``, ``base_directory``)."""
        return self.model().solve(case if case is not None else self.standing_case(), **kwargs)

    def write_msh(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Write the meshed model as Gmsh ``.msh`` 4.1 with its physical names."""
        _core.write_msh(self._build().mesh, os.fspath(path))

    #: The materials of the shipped case (examples/cases/first_ray_standing.json; a test
    #: keeps the two equal): cortical 17 000 MPa and cancellous 500 MPa, St.
    #: Venant-Kirchhoff; cartilage compressible neo-Hookean, 10 MPa (20 MPa at the TMT),
    #: nu 0.4. Sources in README ("The first-ray model").
    DEFAULT_MATERIALS = {
        "*/cortical": {"law": "st-venant-kirchhoff", "E": 17000.0, "nu": 0.3},
        "*/cancellous": {"law": "st-venant-kirchhoff", "E": 500.0, "nu": 0.3},
        "cartilage/tmt_*": {"law": "neo-hookean", "E": 20.0, "nu": 0.4},
        "cartilage/*": {"law": "neo-hookean", "E": 10.0, "nu": 0.4},
    }

    def standing_case(self, body_weight: float = 700.0, degree: int = 1,
                      output_directory: Union[str, None] = None) -> dict:
        """A case dict: this first ray in balanced standing (see README for the load
        distribution) with the shipped case's materials (:attr:`DEFAULT_MATERIALS`) and
        element degree (1). Pass it to :meth:`solve` or :func:`firstray.solve`; without
        an ``output_directory`` each run writes into a fresh ``results/run-...``."""
        import copy

        case = {
            "geometry": {"first_ray": dict(self._given)},
            "element": {"degree": int(degree)},
            "materials": copy.deepcopy(self.DEFAULT_MATERIALS),
            "load_case": {"type": "standing", "body_weight": float(body_weight)},
            # As the shipped case: MUMPS (AMG needs over 1000 CG iterations where
            # cartilage meets bone, README "Linear solvers").
            "solver": {"type": "mumps"},
        }
        if output_directory is not None:
            case["output"] = {"directory": os.fspath(output_directory)}
        return case

    def __repr__(self) -> str:
        return f"FirstRay({', '.join(f'{k}={v}' for k, v in self._given.items())})"
