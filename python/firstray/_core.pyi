"""Type stub of the private pybind11 module firstray._core (units: mm, N, MPa, s)."""
from typing import Optional

import numpy as np
import numpy.typing as npt

def n_ranks() -> int: ...
def rank() -> int: ...

class ParameterSpec:
    name: str
    unit: str
    description: str
    lower: float
    upper: float
    def admits(self, value: float) -> bool: ...
    def range_text(self) -> str: ...

def material_laws() -> list[str]: ...
def material_parameters(law: str) -> list[ParameterSpec]: ...

class MeshData:
    region_names: list[str]
    surface_names: list[str]
    source: str
    points: npt.NDArray[np.float64]
    tetrahedra: npt.NDArray[np.uint32]
    tetrahedron_region: npt.NDArray[np.uint32]
    triangles: npt.NDArray[np.uint32]
    triangle_surface: npt.NDArray[np.uint32]

def read_msh(path: str) -> MeshData: ...
def write_msh(mesh: MeshData, path: str) -> None: ...
def make_box(n: list[int], size: list[float], distortion: float) -> MeshData: ...

class Result:
    summary_json: str
    written_files: list[str]
    n_dofs: int
    n_ranks: int
    linear_iterations: int
    timings: dict[str, float]
    region_names: list[str]
    displacement: npt.NDArray[np.float64]
    points: npt.NDArray[np.float64]
    tetrahedra: npt.NDArray[np.uint32]
    tetrahedron_region: npt.NDArray[np.uint32]
    tetrahedron_von_mises: npt.NDArray[np.float64]
    def von_mises(self, region: str) -> npt.NDArray[np.float64]: ...
    def reaction_force(self, surface: str) -> list[float]: ...

def solve_json(text: str, base_directory: str, source: str,
               mesh: Optional[MeshData] = None) -> Result: ...
def solve_file(path: str) -> Result: ...
