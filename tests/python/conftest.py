"""Shared fixtures: the CLI path, MPI environment and small meshes on disk."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("FIRSTRAY_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("FIRSTRAY_BUILD_DIR", SOURCE_DIR / "build"))

MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
}


@pytest.fixture(scope="session")
def cli() -> str:
    path = os.environ.get("FIRSTRAY_CLI", str(BUILD_DIR / "firstray"))
    if not Path(path).exists():
        pytest.fail(f"firstray CLI not found at {path}; build first or set FIRSTRAY_CLI")
    return path


@pytest.fixture(scope="session")
def mpirun() -> str:
    path = shutil.which("mpirun")
    if path is None:
        pytest.fail("mpirun not found (Debian package openmpi-bin)")
    return path


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, **MPI_ENV)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, **kwargs)


@pytest.fixture(scope="session")
def beam_msh(tmp_path_factory) -> Path:
    """A 40 x 10 x 10 mm box mesh on disk, faces x0..z1, region 'block'."""
    import firstray as fr

    path = tmp_path_factory.mktemp("mesh") / "beam.msh"
    fr.make_box((8, 2, 2), (40.0, 10.0, 10.0), distortion=0.15).write_msh(path)
    return path


def beam_case(mesh: Path | str, out: Path | str = "", **overrides) -> dict:
    case = {
        "mesh": str(mesh),
        "element": {"degree": 2},
        "materials": {"block": {"law": "linear-elastic", "E": 17000.0, "nu": 0.3}},
        "boundary_conditions": [
            {"surface": "x0", "type": "fixed"},
            {"surface": "x1", "type": "force", "value": [0.0, 5.0, -40.0]},
            {"surface": "z1", "type": "pressure", "value": 0.1},
        ],
        "solver": {"rtol": 1e-12},
        "output": {"directory": str(out)},
    }
    case.update(overrides)
    return case


def write_case(path: Path, case: dict) -> Path:
    path.write_text(json.dumps(case, indent=2))
    return path


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long cases kept out of CI's default run (run with -m slow)")
