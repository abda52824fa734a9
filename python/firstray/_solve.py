"""Running a case and reading its result."""
from __future__ import annotations

import json
import math
import os
import time
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

    def quadrature_points(self, region: str) -> np.ndarray:
        """Reference coordinates (mm) of ``region``'s quadrature points, shape (n, 3): the
        points of :attr:`von_mises`, :meth:`stress` and :meth:`strain`, in that order."""
        return self._core.quadrature_points(region)

    @staticmethod
    def _tensors(voigt: np.ndarray) -> np.ndarray:
        t = np.empty((len(voigt), 3, 3))
        for k, (i, j) in enumerate([(0, 0), (1, 1), (2, 2), (0, 1), (1, 2), (0, 2)]):
            t[:, i, j] = t[:, j, i] = voigt[:, k]
        return t

    def stress(self, region: str) -> np.ndarray:
        """Cauchy stress (MPa) at ``region``'s quadrature points, shape (n, 3, 3)."""
        return self._tensors(self._core.stress_voigt(region))

    def strain(self, region: str) -> np.ndarray:
        """Strain at ``region``'s quadrature points, shape (n, 3, 3): sym(grad u) for
        small-strain laws, the Green-Lagrange strain for finite-strain laws."""
        return self._tensors(self._core.strain_voigt(region))

    def principal_stress(self, region: str) -> np.ndarray:
        """Principal Cauchy stresses (MPa), shape (n, 3), largest first."""
        return np.linalg.eigvalsh(self.stress(region))[:, ::-1]

    @property
    def contact_points(self) -> dict:
        """Every contact slave point: ``reference_position``, ``displacement``,
        ``normal``, ``tangential_traction`` (n, 3); ``area`` (mm^2), ``pressure`` (MPa),
        ``gap`` (mm, NaN without a master point in reach), ``state`` (0 open, 1 stick,
        2 slip), ``pass``, ``pair_index`` (n,); ``pair_names`` (by index); and
        ``pair``, the pair name of each point."""
        d = dict(self._core.contact_points)
        names = list(d["pair_names"])
        d["pair"] = np.array([names[k] for k in d["pair_index"]], dtype=object)
        return d

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


_run_counter = 0


def _fresh_output_directory(base: str) -> str:
    """``results/run-<UTC time>-<pid>-<n>`` under ``base``: a directory no other run of
    this process (or another) uses, so that the runs of a sweep never overwrite each
    other's files."""
    global _run_counter
    _run_counter += 1
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return os.path.join(base, "results", f"run-{stamp}-{os.getpid()}-{_run_counter}")


def _progress_callback(progress: Any):
    """(callback for the core, function to call when the solve ends) for ``progress``:
    None/False nothing, True a tqdm bar over the stages' load (notebook or terminal),
    a callable gets every :class:`firstray.Progress` event."""
    if progress is None or progress is False:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=1000, unit="‰", desc="firstray", leave=True,
                   bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}")
        state = {"done": 0}

        def update(event):
            done = int(round(1000 * event.fraction))
            if event.event == "iteration":
                bar.set_postfix_str(f"step {event.step}, Newton {event.iteration}, "
                                    f"residual {event.residual:.2e} N", refresh=False)
            if done > state["done"]:
                bar.update(done - state["done"])
                state["done"] = done
            else:
                bar.refresh()

        return update, bar.close
    raise TypeError("progress: expected None, True or a callable taking a firstray.Progress")


def _document(case: Mapping[str, Any], mesh_placeholder: Optional[str],
              output_directory: Union[str, "os.PathLike[str]", None], base: str) -> str:
    """The JSON text of a dict case, with the output directory chosen."""
    _check_finite(case, "")
    document = dict(case)
    if mesh_placeholder is not None and "geometry" not in document:
        document.setdefault("mesh", mesh_placeholder)
    output = dict(document.get("output", {}))
    if output_directory is not None:
        output["directory"] = os.fspath(output_directory)
    elif "directory" not in output:
        output["directory"] = _fresh_output_directory(base)
    document["output"] = output
    try:
        return json.dumps(document, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"case: cannot be written as JSON: {error}") from error


def _read_case(case: CaseLike, base_directory) -> tuple[dict, str, str]:
    """(dict, base directory, source name) of a dict or case-file path."""
    if isinstance(case, Mapping):
        base = os.fspath(base_directory) if base_directory is not None else os.getcwd()
        return dict(case), os.path.abspath(base), "<dict>"
    if isinstance(case, (str, os.PathLike)):
        path = os.fspath(case)
        if not os.path.exists(path):
            raise ValueError(f"case file '{path}' does not exist")
        try:
            document = json.loads(Path(path).read_text())
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not valid JSON: {error}") from error
        if not isinstance(document, dict):
            raise ValueError(f"{path}: the case must be a JSON object")
        return document, os.path.dirname(os.path.abspath(path)), path
    raise TypeError(f"case must be a dict or a path, not {type(case).__name__}")


def solve(case: CaseLike, mesh: Optional[Mesh] = None,
          base_directory: Union[str, "os.PathLike[str]", None] = None, *,
          output_directory: Union[str, "os.PathLike[str]", None] = None,
          progress: Any = None) -> Result:
    """Run the analysis a case describes (the same schema as ``firstray solve``).

    Args:
        case: a dict in the case schema, or the path of a case JSON file.
        mesh: an in-memory mesh to use instead of the case's ``"mesh"`` file; a mesh
            from :meth:`FirstRay.mesh` brings its first-ray model (load cases, joints).
        base_directory: where relative paths of a dict case resolve (default: the
            current directory). A file case resolves against its own folder.
        output_directory: where the run writes (overrides the case's
            ``output.directory``). A dict case that names none writes into a fresh
            ``results/run-...`` directory, so that runs never overwrite each other.
        progress: None (quiet), True (a progress bar: tqdm, also in notebooks) or a
            callable receiving each :class:`firstray.Progress` event (stage, load step,
            Newton iteration, residual in N).

    Returns:
        The :class:`Result`.

    Raises:
        ValueError: bad input, naming the key, file, region or surface at fault.
        RuntimeError: the solve failed (the message says what was tried).
        KeyboardInterrupt: Ctrl-C (or an interrupted kernel) stopped the solve; the
            converged steps stay written, with ``summary.failed.json``.
        TypeError: ``case`` is neither a mapping nor a path.
    """
    if mesh is not None and not isinstance(mesh, Mesh):
        raise TypeError("solve: mesh must be a firstray.Mesh")
    if mesh is not None and getattr(mesh, "_model", None) is not None:
        return mesh._model.solve(case, base_directory=base_directory,
                                 output_directory=output_directory, progress=progress)
    callback, done = _progress_callback(progress)
    try:
        if isinstance(case, Mapping):
            base = os.path.abspath(os.fspath(base_directory) if base_directory is not None
                                   else os.getcwd())
            text = _document(case, "<in-memory mesh>" if mesh is not None else None,
                             output_directory, base)
            return Result(_core.solve_json(text, base, "<dict>",
                                           mesh._data if mesh is not None else None, callback))
        if isinstance(case, (str, os.PathLike)):
            path = os.fspath(case)
            if mesh is not None or output_directory is not None:
                document, base, source = _read_case(path, None)
                if output_directory is not None:
                    document.setdefault("output", {})["directory"] = os.fspath(output_directory)
                text = json.dumps(document)
                return Result(_core.solve_json(text, base, source,
                                               mesh._data if mesh is not None else None,
                                               callback))
            return Result(_core.solve_file(path, callback))
        raise TypeError(f"solve: case must be a dict or a path, not {type(case).__name__}")
    finally:
        done()


class Model:
    """A model meshed once and solved many times (sweeps of load cases, stages,
    materials or solver settings without re-meshing).

    ``Model(source)`` with a :class:`FirstRay` (its cached mesh), a :class:`Mesh`, or a
    case (dict or path) whose ``"geometry"`` or ``"mesh"`` it builds or reads once.
    ``solve(case)`` runs a case on it: the case's ``"mesh"`` is not read and a
    ``"geometry"``, if given, must be the model's; a first-ray model expands
    ``load_case`` and the joints. ``meshings`` stays 1 however many solves run.
    """

    def __init__(self, source: Any, base_directory: Union[str, "os.PathLike[str]", None] = None):
        from ._first_ray import FirstRay

        if isinstance(source, FirstRay):
            self._core = _core.Model(source._build(), source.parameters)
        elif isinstance(source, Mesh):
            self._core = _core.Model(source._data)
        else:
            document, base, name = _read_case(source, base_directory)
            _check_finite(document, "")
            self._core = _core.Model.from_case(json.dumps(document, allow_nan=False), base, name)
        self.base_directory = os.path.abspath(os.fspath(base_directory)) if base_directory \
            else os.getcwd()

    @property
    def meshings(self) -> int:
        """How many times this model built or read its mesh (1)."""
        return int(self._core.meshings)

    @property
    def solves(self) -> int:
        """How many solves ran on it."""
        return int(self._core.solves)

    @property
    def mesh(self) -> Mesh:
        """Its mesh."""
        m = Mesh(self._core.mesh)
        m._model = self
        return m

    def solve(self, case: CaseLike, *, base_directory: Union[str, "os.PathLike[str]", None] = None,
              output_directory: Union[str, "os.PathLike[str]", None] = None,
              progress: Any = None) -> Result:
        """Run ``case`` (dict or path) on this model; arguments as :func:`firstray.solve`."""
        if isinstance(case, Mapping) and base_directory is None:
            base_directory = self.base_directory
        document, base, source = _read_case(case, base_directory)
        if output_directory is None and not isinstance(case, Mapping):
            output_directory = document.get("output", {}).get("directory")
            if output_directory is not None:
                output_directory = os.path.join(base, output_directory)
        text = _document(document, "<model>", output_directory, base)
        callback, done = _progress_callback(progress)
        try:
            return Result(self._core.solve(text, base, source, callback))
        finally:
            done()

    def __repr__(self) -> str:
        kind = "first ray" if self._core.is_first_ray else "mesh"
        return f"Model({kind}, meshings={self.meshings}, solves={self.solves})"


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


def case_schema() -> dict:
    """The JSON Schema (draft-07) of a case, as ``firstray schema`` prints it: the same
    declarations that validate cases, for editors and ``jsonschema``."""
    return json.loads(_core.case_schema())


def normalize_case(case: CaseLike, base_directory: Union[str, "os.PathLike[str]", None] = None) -> dict:
    """The case as firstray reads it, written back: every key with its value, defaults
    written out, paths resolved against ``base_directory`` (a file case: its folder).
    Reading the result gives the same case again.

    Raises:
        ValueError: the case is not valid (the message names the key).
    """
    document, base, source = _read_case(case, base_directory)
    _check_finite(document, "")
    return json.loads(_core.case_to_json(json.dumps(document, allow_nan=False), base, source))
