"""Running a case and reading its result."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import numpy as np

from . import _core
from ._mesh import Mesh

CaseLike = Union[Mapping[str, Any], str, "os.PathLike[str]"]


class Result:
    """What an analysis returns. Arrays are numpy views on the C++ result (no copies).

    Attributes:
        summary: the ``summary.json`` document as a dict (units: mm, N, MPa, s).
        displacement: nodal displacement, shape (n_nodes, 3), mm, in the mesh's node order.
        points: node coordinates, shape (n_nodes, 3), mm.
        von_mises: region name -> von Mises stress (MPa) at the region's quadrature points.
    """

    def __init__(self, core: "_core.Result") -> None:
        self._core = core
        self.summary: dict = json.loads(core.summary_json)
        self.displacement: np.ndarray = core.displacement
        self.points: np.ndarray = core.points
        self.von_mises: dict[str, np.ndarray] = {
            name: core.von_mises(name) for name in core.region_names}

    @property
    def regions(self) -> list[str]:
        """Region names."""
        return list(self._core.region_names)

    @property
    def files(self) -> list[str]:
        """Files the run wrote (ParaView .pvd/.pvtu/.vtu and summary.json)."""
        return list(self._core.written_files)

    @property
    def tetrahedron_von_mises(self) -> np.ndarray:
        """Mean von Mises stress of each tetrahedron (MPa), in the mesh's order."""
        return self._core.tetrahedron_von_mises

    def reaction_force(self, surface: str) -> np.ndarray:
        """Reaction force (N) the support exerts on the body through ``surface``.

        Raises:
            ValueError: ``surface`` is not a named surface of the mesh.
        """
        return np.array(self._core.reaction_force(surface))

    def table(self) -> str:
        """The per-region and per-surface summary as a fixed-width text table."""
        lines = [f"{'region':<28}{'volume mm^3':>14}{'max vM MPa':>14}{'p99 vM MPa':>14}"]
        for name, r in self.summary.get("regions", {}).items():
            lines.append(f"{name:<28}{r['volume']:>14.6g}{r['max_von_mises']:>14.6g}"
                         f"{r['p99_von_mises']:>14.6g}")
        lines.append("")
        lines.append(f"{'surface':<28}{'Rx N':>14}{'Ry N':>14}{'Rz N':>14}")
        for name, s in self.summary.get("surfaces", {}).items():
            rx, ry, rz = s["reaction_force"]
            lines.append(f"{name:<28}{rx:>14.6g}{ry:>14.6g}{rz:>14.6g}")
        return "\n".join(lines)

    def write(self, path: Union[str, "os.PathLike[str]"]) -> Path:
        """Write the result.

        ``.json`` writes the summary; any mesh format meshio knows (``.vtu``,
        ``.xdmf``, ``.vtk``, ...) writes the nodes, tetrahedra, nodal displacement,
        region index and per-tetrahedron mean von Mises stress.

        Returns:
            The path written.
        """
        path = Path(path)
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".json":
            path.write_text(json.dumps(self.summary, indent=2) + "\n")
            return path
        import meshio  # Debian's python3-meshio

        mesh = meshio.Mesh(
            points=np.asarray(self.points),
            cells=[("tetra", np.asarray(self._core.tetrahedra, dtype=np.int64))],
            point_data={"displacement": np.asarray(self.displacement)},
            cell_data={"region_id": [np.asarray(self._core.tetrahedron_region, dtype=np.int32)],
                       "von_mises": [np.asarray(self.tetrahedron_von_mises)]},
        )
        try:
            mesh.write(path)
        except Exception as error:  # meshio raises several types for unknown formats
            raise ValueError(f"Result.write: cannot write '{path}': {error}") from error
        return path

    def __repr__(self) -> str:
        s = self.summary.get("solver", {})
        return (f"Result({s.get('dofs')} DoFs on {s.get('ranks')} rank(s), "
                f"regions={self.regions})")


def _check_finite(value: Any, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: not a finite number ({value})")
    if isinstance(value, Mapping):
        for k, v in value.items():
            _check_finite(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_finite(v, f"{where}[{i}]")


def solve(case: CaseLike, mesh: Optional[Mesh] = None,
          base_directory: Union[str, "os.PathLike[str]", None] = None) -> Result:
    """Run the analysis a case describes (the same schema as ``firstray solve``).

    Args:
        case: a dict in the case schema, or the path of a case JSON file.
        mesh: an in-memory mesh to use instead of the case's ``"mesh"`` file.
        base_directory: where relative paths of a dict case resolve (default: the
            current directory). A file case resolves against its own folder.

    Returns:
        The :class:`Result`.

    Raises:
        ValueError: bad input, naming the key, file, region or surface at fault.
        RuntimeError: the solve failed (the message says what was tried).
        TypeError: ``case`` is neither a mapping nor a path.
    """
    if mesh is not None and not isinstance(mesh, Mesh):
        raise TypeError("solve: mesh must be a firstray.Mesh")
    if isinstance(case, Mapping):
        _check_finite(case, "")
        document = dict(case)
        if mesh is not None:
            document.setdefault("mesh", "<in-memory mesh>")
        try:
            text = json.dumps(document, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise ValueError(f"case: cannot be written as JSON: {error}") from error
        base = os.fspath(base_directory) if base_directory is not None else os.getcwd()
        return Result(_core.solve_json(text, os.path.abspath(base), "<dict>",
                                       mesh._data if mesh is not None else None))
    if isinstance(case, (str, os.PathLike)):
        path = os.fspath(case)
        if mesh is not None:
            if not os.path.exists(path):
                raise ValueError(f"case file '{path}' does not exist")
            text = Path(path).read_text()
            base = os.path.dirname(os.path.abspath(path))
            return Result(_core.solve_json(text, base, path, mesh._data))
        return Result(_core.solve_file(path))
    raise TypeError(f"solve: case must be a dict or a path, not {type(case).__name__}")


def material_laws() -> list[str]:
    """Names of the registered material laws (e.g. ``"linear-elastic"``)."""
    return list(_core.material_laws())


def material_parameters(law: str) -> list[dict]:
    """Declared parameters of ``law``: name, unit, description and valid range.

    Raises:
        ValueError: ``law`` is not registered.
    """
    return [{"name": p.name, "unit": p.unit, "description": p.description,
             "range": p.range_text()} for p in _core.material_parameters(law)]
