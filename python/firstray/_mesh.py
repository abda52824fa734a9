"""Named tetrahedral meshes (Gmsh physical names kept). Coordinates in mm."""
from __future__ import annotations

import os
from typing import Sequence, Union

import numpy as np

from . import _core

PathLike = Union[str, "os.PathLike[str]"]


class Mesh:
    """A linear tetrahedral mesh with named regions (volumes) and surfaces.

    Build one with :func:`read_msh` or :func:`make_box`; pass it to
    :func:`firstray.solve` as ``mesh=`` to skip the case's ``"mesh"`` file.
    """

    def __init__(self, data: "_core.MeshData") -> None:
        self._data = data
        self._model = None  # the firstray.Model it came from (FirstRay.mesh()), if any

    @property
    def region_names(self) -> list[str]:
        """Names of the volumes (Gmsh physical volumes), in region-index order."""
        return list(self._data.region_names)

    @property
    def surface_names(self) -> list[str]:
        """Names of the surfaces (Gmsh physical surfaces)."""
        return list(self._data.surface_names)

    @property
    def points(self) -> np.ndarray:
        """Node coordinates, shape (n_nodes, 3), mm."""
        return self._data.points

    @property
    def tetrahedra(self) -> np.ndarray:
        """Node indices of each tetrahedron, shape (n_tets, 4)."""
        return np.array(self._data.tetrahedra)

    @property
    def tetrahedron_region(self) -> np.ndarray:
        """Region index (into :attr:`region_names`) of each tetrahedron."""
        return np.array(self._data.tetrahedron_region)

    @property
    def n_tetrahedra(self) -> int:
        """Number of tetrahedra."""
        return len(self._data.tetrahedron_region)

    def write_msh(self, path: PathLike) -> None:
        """Write the mesh as Gmsh ``.msh`` 4.1 with its physical names."""
        _core.write_msh(self._data, os.fspath(path))

    def __repr__(self) -> str:
        return (f"Mesh({self.n_tetrahedra} tetrahedra, regions={self.region_names}, "
                f"surfaces={self.surface_names})")


def read_msh(path: PathLike) -> Mesh:
    """Read a Gmsh ``.msh`` file (format 2 or 4.1), keeping physical names.

    Raises:
        ValueError: the file is missing, not a mesh, or has no tetrahedra.
    """
    return Mesh(_core.read_msh(os.fspath(path)))


def make_box(subdivisions: Sequence[int] = (4, 2, 2),
             size: Sequence[float] = (40.0, 10.0, 10.0),
             distortion: float = 0.0) -> Mesh:
    """A box [0,a]x[0,b]x[0,c] (mm) of tetrahedra: region ``block``, faces
    ``x0 x1 y0 y1 z0 z1`` (``x0`` is the face x = 0).

    Args:
        subdivisions: cubes along x, y, z (each cut into tetrahedra).
        size: edge lengths a, b, c in mm.
        distortion: random interior node shift as a fraction of the edge length.
    """
    if len(subdivisions) != 3 or len(size) != 3:
        raise ValueError("make_box: subdivisions and size need 3 entries each")
    if not 0.0 <= distortion < 0.5:
        raise ValueError("make_box: distortion must lie in [0, 0.5)")
    return Mesh(_core.make_box([int(n) for n in subdivisions], [float(s) for s in size],
                               float(distortion)))


def import_bones(bones: Sequence[dict], mesh_size: float = 2.0, feature_angle_deg: float = 40.0,
                 cortical_split: str = "offset_surface") -> Mesh:
    """Mesh bones segmented from CT, one closed STL surface (binary or ASCII) per bone.

    Each bone is a dict ``{"name": "metatarsal1", "stl": "mt1.stl",
    "cortical_thickness": 1.5, "patches": [{"name": "mtp", "centre": [x, y, z],
    "radius": 6.0, "cartilage_thickness": 1.0}]}`` (mm). Gmsh repairs and remeshes
    the surface at ``mesh_size``; regions are ``<bone>`` or ``<bone>/cortical`` and
    ``<bone>/cancellous``, plus ``cartilage/<bone>_<patch>`` grown outward on patches
    with a cartilage thickness; surfaces ``<bone>/surface`` and ``<bone>/<patch>``.

    Raises:
        ValueError: the file is missing or not an STL, the surface is not closed,
            self-intersects or has zero volume, a patch selects nothing, bodies overlap
            (the message names the bone, file or patch).
    """
    spec = []
    for i, bone in enumerate(bones):
        unknown = set(bone) - {"name", "stl", "cortical_thickness", "patches"}
        if unknown:
            raise ValueError(f"bones[{i}]: unknown key(s) {sorted(unknown)}")
        try:
            patches = [(str(p["name"]), [float(c) for c in p["centre"]], float(p["radius"]),
                        float(p.get("cartilage_thickness", 0.0))) for p in bone.get("patches", [])]
            spec.append((str(bone["name"]), os.fspath(bone["stl"]),
                         float(bone.get("cortical_thickness", 0.0)), patches))
        except KeyError as missing:
            raise ValueError(f"bones[{i}]: missing key {missing}") from None
    return Mesh(_core.import_bones(spec, float(mesh_size), float(feature_angle_deg),
                                   str(cortical_split)))
