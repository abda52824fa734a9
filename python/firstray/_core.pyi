"""Type stub of the private pybind11 module firstray._core (units: mm, N, MPa, s)."""
from typing import Callable, Optional, overload

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
def case_schema() -> str: ...
def case_to_json(text: str, base_directory: str, source: str) -> str: ...
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

class Progress:
    """One progress event of a solve (residuals in N)."""
    event: str  # "stage_begin", "iteration", "step_converged", "step_cut_back", "detail"
    stage: str
    stage_index: int
    n_stages: int
    step: int
    load_factor: float
    iteration: int
    residual: float
    tolerance: float
    linear_iterations: int
    step_length: float
    text: str
    fraction: float

Callback = Optional[Callable[[Progress], None]]

def solve_json(text: str, base_directory: str, source: str,
               mesh: Optional[MeshData] = None, callback: Callback = None) -> Result: ...
def solve_file(path: str, callback: Callback = None) -> Result: ...

class Model:
    meshings: int
    solves: int
    is_first_ray: bool
    mesh: MeshData
    @overload
    def __init__(self, mesh: MeshData) -> None: ...
    @overload
    def __init__(self, first_ray: object, parameters: dict[str, str]) -> None: ...  # FirstRayMesh
    @staticmethod
    def from_case(text: str, base_directory: str, source: str) -> "Model": ...
    def solve(self, text: str, base_directory: str, source: str,
              callback: Callback = None) -> Result: ...
