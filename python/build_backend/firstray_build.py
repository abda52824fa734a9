"""In-tree PEP 517 build backend for firstray: CMake builds, this packs the wheel.

Why not setuptools or scikit-build-core: pip must work offline on Debian
bookworm (no PyPI), and this backend needs nothing but the standard library
and the cmake/compilers that scripts/setup installs. With ``requires = []`` it
works with and without ``--no-build-isolation``.

What it does for ``pip install .``:

1. configures the project with CMake in ``build-pip/`` (override with the
   environment variable FIRSTRAY_PIP_BUILD_DIR) for the running interpreter:
   Release, -DFIRSTRAY_PIP_INSTALL=ON, tests and benchmarks off; extra CMake
   arguments can be given in the environment variable CMAKE_ARGS;
2. builds and ``cmake --install``s into a scratch prefix;
3. packs the prefix's ``firstray/`` folder (the Python files, ``_core*.so``
   and ``libfirstray.so.0``, found through RPATH $ORIGIN) into a wheel tagged
   for this interpreter and platform.

``pip install -e .`` (PEP 660) builds the same way and installs a .pth file
that points at ``<build dir>/python``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import zipfile
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

SOURCE_DIR = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------- metadata
def _project() -> dict:
    text = (SOURCE_DIR / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        return tomllib.loads(text)["project"]
    # Minimal fallback: name and version only.
    return {
        "name": re.search(r'^name\s*=\s*"([^"]+)"', text, re.M).group(1),
        "version": re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1),
    }


def _dist_name(project: dict) -> str:
    return re.sub(r"[-_.]+", "_", project["name"]).lower()


def _metadata(project: dict) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
    ]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    lic = project.get("license")
    if isinstance(lic, dict) and "text" in lic:
        lines.append(f"License: {lic['text']}")
    elif isinstance(lic, str):
        lines.append(f"License: {lic}")
    for c in project.get("classifiers", []):
        lines.append(f"Classifier: {c}")
    for d in project.get("dependencies", []):
        lines.append(f"Requires-Dist: {d}")
    for extra, deps in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for d in deps:
            lines.append(f'Requires-Dist: {d}; extra == "{extra}"')
    for key, url in project.get("urls", {}).items():
        lines.append(f"Project-URL: {key}, {url}")
    if (SOURCE_DIR / "LICENSE").exists():
        lines.append("License-File: LICENSE")
    body = ""
    readme = project.get("readme")
    if isinstance(readme, str) and (SOURCE_DIR / readme).exists():
        lines.append("Description-Content-Type: text/markdown")
        body = "\n" + (SOURCE_DIR / readme).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n" + body


def _wheel_tag() -> str:
    impl = "cp" if sys.implementation.name == "cpython" else sys.implementation.name[:2]
    py = f"{impl}{sys.version_info.major}{sys.version_info.minor}"
    plat = re.sub(r"[-.]", "_", sysconfig.get_platform())
    return f"{py}-{py}-{plat}"


# ----------------------------------------------------------------- building
def _run(cmd: list[str], **kw) -> None:
    print("firstray-build:", " ".join(shlex.quote(str(c)) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def _build_dir() -> Path:
    return Path(os.environ.get("FIRSTRAY_PIP_BUILD_DIR", SOURCE_DIR / "build-pip")).resolve()


def _cmake_build() -> Path:
    """Configure and build; returns the build directory."""
    cmake = shutil.which("cmake")
    if cmake is None:
        raise RuntimeError("firstray: cmake not found; run scripts/setup first")
    build = _build_dir()
    args = [
        cmake, "-S", SOURCE_DIR, "-B", build,
        "-DCMAKE_BUILD_TYPE=Release",
        "-DFIRSTRAY_PIP_INSTALL=ON",
        "-DFIRSTRAY_BUILD_PYTHON=ON",
        "-DFIRSTRAY_BUILD_TESTS=OFF",
        "-DFIRSTRAY_BUILD_BENCHMARKS=OFF",
        # The module must match the interpreter pip runs (a venv's python is
        # a symlink to Debian's /usr/bin/python3; the ABI is the same).
        f"-DPYTHON_EXECUTABLE={sys.executable}",
    ]
    args += shlex.split(os.environ.get("CMAKE_ARGS", ""))
    _run(args)
    jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
    _run([cmake, "--build", build, "-j", jobs])
    return build


def _install_tree(build: Path, prefix: Path) -> Path:
    _run([shutil.which("cmake"), "--install", build, "--prefix", prefix])
    pkg = prefix / "firstray"
    if not (pkg / "__init__.py").exists():
        raise RuntimeError(f"firstray: cmake --install produced no {pkg}/__init__.py")
    return pkg


def _package_files(pkg: Path) -> list[tuple[str, Path]]:
    """(archive name, file) pairs of the installed package.

    Zip archives cannot hold symlinks: each shared library is stored once,
    under its SONAME-style name (libfirstray.so.0), which is what _core needs.
    """
    groups: dict[Path, list[Path]] = {}
    for p in sorted(pkg.rglob("*")):
        if p.is_dir() or "__pycache__" in p.parts or p.suffix == ".pyc":
            continue
        groups.setdefault(p.resolve(), []).append(p)
    out = []
    for real, names in groups.items():
        if len(names) > 1:
            soname = [n for n in names if re.search(r"\.so\.\d+$", n.name)]
            names = soname[:1] or [min(names, key=lambda n: len(n.name))]
        for n in names:
            out.append((f"firstray/{n.relative_to(pkg).as_posix()}", real))
    return out


# ----------------------------------------------------------------- wheel writing
def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(wheel_directory: str, entries: list[tuple[str, bytes, int]]) -> str:
    project = _project()
    dist = _dist_name(project)
    tag = _wheel_tag()
    distinfo = f"{dist}-{project['version']}.dist-info"
    wheel_name = f"{dist}-{project['version']}-{tag}.whl"

    meta = [
        (f"{distinfo}/METADATA", _metadata(project).encode(), 0o644),
        (
            f"{distinfo}/WHEEL",
            (
                "Wheel-Version: 1.0\n"
                "Generator: firstray_build\n"
                "Root-Is-Purelib: false\n"
                f"Tag: {tag}\n"
            ).encode(),
            0o644,
        ),
    ]
    if (SOURCE_DIR / "LICENSE").exists():
        meta.append((f"{distinfo}/LICENSE", (SOURCE_DIR / "LICENSE").read_bytes(), 0o644))
    all_entries = entries + meta
    record = "\n".join(_record_line(n, d) for n, d, _ in all_entries)
    record += f"\n{distinfo}/RECORD,,\n"
    all_entries.append((f"{distinfo}/RECORD", record.encode(), 0o644))

    path = Path(wheel_directory) / wheel_name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in all_entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return wheel_name


# ----------------------------------------------------------------- PEP 517 hooks
def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    project = _project()
    distinfo = f"{_dist_name(project)}-{project['version']}.dist-info"
    d = Path(metadata_directory) / distinfo
    d.mkdir(parents=True, exist_ok=True)
    (d / "METADATA").write_text(_metadata(project), encoding="utf-8")
    return distinfo


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    build = _cmake_build()
    with tempfile.TemporaryDirectory(prefix="firstray-wheel-") as tmp:
        pkg = _install_tree(build, Path(tmp))
        entries = []
        for name, real in _package_files(pkg):
            mode = 0o755 if os.access(real, os.X_OK) else 0o644
            entries.append((name, real.read_bytes(), mode))
        return _write_wheel(wheel_directory, entries)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    build = _cmake_build()
    pth = f"{build / 'python'}\n".encode()
    return _write_wheel(wheel_directory, [("firstray_editable.pth", pth, 0o644)])


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = f"{_dist_name(project)}-{project['version']}"
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=SOURCE_DIR, check=True, capture_output=True
        ).stdout
        files = [f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        skip = re.compile(r"^(build[^/]*|\.git|results)(/|$)|__pycache__")
        files = [
            p.relative_to(SOURCE_DIR).as_posix()
            for p in SOURCE_DIR.rglob("*")
            if p.is_file() and not skip.search(p.relative_to(SOURCE_DIR).as_posix())
        ]
    name = f"{base}.tar.gz"
    with tarfile.open(Path(sdist_directory) / name, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        for f in sorted(files):
            if (SOURCE_DIR / f).exists():
                tf.add(SOURCE_DIR / f, arcname=f"{base}/{f}", recursive=False)
        pkg_info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata(project).encode()
        pkg_info.size = len(data)
        tf.addfile(pkg_info, io.BytesIO(data))
    return name
