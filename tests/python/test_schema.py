"""The case schema as a JSON Schema (`firstray schema`): the shipped cases validate, bad
cases are rejected by it as by firstray itself, and a case written back reads back."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest

import firstray as fr
from conftest import SOURCE_DIR, run

EXAMPLES = sorted((SOURCE_DIR / "examples" / "cases").glob("*.json"))


@pytest.fixture(scope="module")
def schema(cli) -> dict:
    proc = run([cli, "schema"])
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    jsonschema.Draft7Validator.check_schema(document)
    return document


def test_cli_schema_is_the_python_one(schema):
    assert fr.case_schema() == schema
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_shipped_cases_validate(schema, path):
    jsonschema.validate(json.loads(path.read_text()), schema)


def _bending() -> dict:
    return json.loads((SOURCE_DIR / "examples/cases/bone_shaft_bending.json").read_text())


def _bad_cases() -> dict[str, tuple[dict, str]]:
    """name -> (case, the key the error names)."""
    bad: dict[str, tuple[dict, str]] = {}
    case = _bending()
    case["solver"]["rtoll"] = case["solver"].pop("rtol")
    bad["misspelt solver key"] = (case, "solver.rtoll")
    case = _bending()
    case["stepz"] = {"count": 2}
    bad["misspelt top-level key"] = (case, "stepz")
    case = _bending()
    case["contact"] = [{"pair": ["base", "tip"], "frictoin": 0.2}]
    bad["misspelt contact key"] = (case, "contact[0].frictoin")
    case = _bending()
    case["materials"]["cortical"]["nu"] = 0.5
    bad["nu out of range"] = (case, "materials.cortical.nu")
    case = _bending()
    case["materials"]["cancellous"]["E"] = -1
    bad["E out of range"] = (case, "materials.cancellous.E")
    case = _bending()
    case["element"]["degree"] = 3
    bad["degree out of range"] = (case, "element.degree")
    case = _bending()
    case["solver"]["rtol"] = 2.0
    bad["rtol out of range"] = (case, "solver.rtol")
    case = _bending()
    case["contact"] = [{"pair": ["base", "tip"], "friction": -0.1}]
    bad["friction out of range"] = (case, "contact[0].friction")
    case = _bending()
    case["solver"]["type"] = "magic"
    bad["unknown solver"] = (case, "solver.type")
    case = _bending()
    case["boundary_conditions"][0]["value"] = [0, 0, 1]
    bad["value on a fixed support"] = (case, "boundary_conditions[0].value")
    case = _bending()
    case["boundary_conditions"][1]["value"] = [0, -100]
    bad["force with 2 components"] = (case, "boundary_conditions[1].value")
    case = _bending()
    case["materials"]["cortical"]["c1"] = 1.0
    bad["parameter of another law"] = (case, "materials.cortical.c1")
    case = _bending()
    case["geometry"] = {"first_ray": {}}
    bad["mesh and geometry"] = (case, "not both")
    case = _bending()
    del case["mesh"]
    bad["no mesh"] = (case, "mesh: required key is missing")
    case = _bending()
    case["contact"] = [{"surface": "base", "pair": ["base", "tip"],
                        "rigid": {"type": "plane", "point": [0, 0, 0], "normal": [0, 0, 1]}}]
    bad["pair and rigid"] = (case, "not both")
    return bad


@pytest.mark.parametrize("name", list(_bad_cases()))
def test_bad_cases_are_rejected_by_the_schema_and_by_firstray(schema, name, tmp_path):
    case, key = _bad_cases()[name]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(case, schema)
    with pytest.raises(ValueError) as error:
        fr.normalize_case(case, base_directory=SOURCE_DIR / "examples" / "cases")
    assert key in str(error.value)


def test_first_ray_parameters_may_be_text(schema):
    """Python passes the first ray's parameters as text; both accept that."""
    case = fr.FirstRay(metatarsal_length=50).standing_case()
    assert isinstance(case["geometry"]["first_ray"]["metatarsal_length"], str)
    jsonschema.validate(case, schema)
    case["geometry"]["first_ray"]["metatarsal_length"] = "long"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(case, schema)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_normalized_case_reads_back_the_same(schema, path):
    written = fr.normalize_case(path)
    jsonschema.validate(written, schema)
    assert fr.normalize_case(copy.deepcopy(written)) == written
    original = json.loads(path.read_text())
    assert written["materials"] == {region: {k: (float(v) if k != "law" else v) for k, v in m.items()}
                                    for region, m in original["materials"].items()}
    assert written["solver"]["type"] == original["solver"]["type"]
    assert written["solver"]["inexact_newton"] is True  # a default, written out
    assert written["output"]["directory"].startswith("/")  # resolved
