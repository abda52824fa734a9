"""The layers stay apart (STYLE.md, "Four layers, kept apart"): the physics layers own
their settings and never include the case file's or the model layer's headers."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SOURCE_DIR

PHYSICS = ["materials", "assembly", "contact", "solver", "mesh", "geometry"]
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]firstray/(io|model)/([^>"]+)[>"]', re.MULTILINE)


def _sources(concern: str) -> list[Path]:
    headers = sorted((SOURCE_DIR / "include" / "firstray" / concern).glob("*.h"))
    sources = sorted((SOURCE_DIR / "lib" / concern).glob("*.cc"))
    return headers + sources


@pytest.mark.parametrize("concern", PHYSICS)
def test_physics_layers_do_not_include_io_or_model(concern):
    files = _sources(concern)
    assert files, f"no sources found for {concern}"
    offending = [f"{path.relative_to(SOURCE_DIR)} includes firstray/{m.group(1)}/{m.group(2)}"
                 for path in files for m in INCLUDE.finditer(path.read_text())]
    assert not offending, "\n".join(offending)


def test_the_pattern_finds_an_include():
    assert INCLUDE.search('#include <firstray/io/case.h>\n')
    assert INCLUDE.search('#  include "firstray/model/model.h"\n')
    assert not INCLUDE.search('#include <firstray/contact/settings.h>\n')
