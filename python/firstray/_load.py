"""Reading a finished run back: ``fr.load(directory)``."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import numpy as np


def _read_vtk(path: Path):
    """(points, point_data, cell_data) of a .vtu or .pvtu file, with Debian's python3-vtk9."""
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkIOXML import vtkXMLPUnstructuredGridReader, vtkXMLUnstructuredGridReader

    reader = vtkXMLPUnstructuredGridReader() if path.suffix == ".pvtu" \
        else vtkXMLUnstructuredGridReader()
    reader.SetFileName(str(path))
    reader.Update()
    grid = reader.GetOutput()
    if grid is None or grid.GetNumberOfPoints() == 0:
        raise ValueError(f"{path}: no points (not a finished firstray output file?)")
    points = vtk_to_numpy(grid.GetPoints().GetData()).astype(float)

    def arrays(data):
        return {data.GetArrayName(i): vtk_to_numpy(data.GetArray(i))
                for i in range(data.GetNumberOfArrays())}

    return points, arrays(grid.GetPointData()), arrays(grid.GetCellData())


def _pvd_records(path: Path) -> list[tuple[float, str, str]]:
    """(timestep, stage name, file) of every record of a .pvd collection."""
    root = ET.parse(path).getroot()
    return [(float(d.get("timestep", "0")), d.get("name", ""), d.get("file"))
            for d in root.iter("DataSet")]


@dataclass
class LoadedRun:
    """A finished (or failed) run read from its output directory (units: mm, N, MPa).

    Attributes:
        directory: the run's folder.
        summary: summary.json (or summary.failed.json when the run failed) as a dict.
        failed: the run did not finish (only summary.failed.json is there).
        steps: (load factor, stage name, file) of each converged step in solution.pvd.
        points: node coordinates of the last step's fields, (n, 3).
        point_data / cell_data: the last step's fields by name (``displacement``,
            ``stress``, ``von_mises``, ...).
        contact_points: the last step's contact surface fields by name
            (``contact_pressure``, ``normal_gap``, ``stick_slip``, ``pair``, ...) plus
            ``reference_position``; empty without contact.
    """

    directory: Path
    summary: dict
    failed: bool
    steps: list = field(default_factory=list)
    points: np.ndarray = None
    point_data: dict = field(default_factory=dict)
    cell_data: dict = field(default_factory=dict)
    contact_points: dict = field(default_factory=dict)

    @property
    def displacement(self) -> np.ndarray:
        """Nodal displacement of the last step, (n, 3) mm."""
        return self.point_data["displacement"]

    def __repr__(self) -> str:
        state = "failed" if self.failed else "finished"
        return f"LoadedRun({str(self.directory)!r}, {state}, {len(self.steps)} steps)"


def load(directory: Union[str, "os.PathLike[str]"]) -> LoadedRun:
    """Read a run's output directory back: its summary, the fields of its last converged
    step (solution.pvd) and its contact surface fields (contact.pvd).

    Raises:
        ValueError: the directory holds no firstray summary, or a listed file is missing.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"load: '{folder}' is not a directory")
    summary_path, failed = folder / "summary.json", False
    if not summary_path.exists():
        summary_path, failed = folder / "summary.failed.json", True
    if not summary_path.exists():
        raise ValueError(f"load: '{folder}' has no summary.json (nor summary.failed.json): "
                         "not a firstray output directory, or the run wrote no output")
    try:
        summary = json.loads(summary_path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"load: {summary_path}: not valid JSON ({error})") from error
    run = LoadedRun(directory=folder, summary=summary, failed=failed)
    pvd = folder / "solution.pvd"
    if pvd.exists():
        run.steps = _pvd_records(pvd)
        if run.steps:
            last = folder / run.steps[-1][2]
            if not last.exists():
                raise ValueError(f"load: {pvd} lists {last.name}, which is missing")
            run.points, run.point_data, run.cell_data = _read_vtk(last)
    contact = folder / "contact.pvd"
    if contact.exists():
        records = _pvd_records(contact)
        if records:
            points, data, _ = _read_vtk(folder / records[-1][2])
            run.contact_points = dict(data, reference_position=points)
    return run
