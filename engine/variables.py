"""Checks on variables handed in from outside (start, complete, messages)."""
from __future__ import annotations

import functools
import math
from typing import Any

from .errors import ValidationFailed

MAX_DEPTH = 20
# SpiffWorkflow's serializer reads a dict with this key as one of its own objects.
RESERVED_KEYS = frozenset({"typename"})
# A case's state is stored as JSON with 64-bit integers (and most clients read numbers as doubles).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def check_variables(variables: Any) -> dict[str, Any]:
    """Variables must be a JSON object of plain values; names must be identifiers scripts can use, and not
    those of the functions diagrams call (a variable hiding one fails every later script of the case).

    Raises:
        ValidationFailed: with one ``{"field", "message"}`` item per problem, ``field`` the path of the value
            as a request body holds it: ``variables.NAME``, ``variables.NAME.KEY``, ``variables.NAME.0`` (an
            item of a list).
    """
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise ValidationFailed("variables must be an object", details=[{"field": "variables",
                                                                        "message": "not an object"}])
    problems: list[dict[str, str]] = []
    functions = function_names()
    for name, value in variables.items():
        field = f"variables.{name}"
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            problems.append({"field": field, "message": "not a valid variable name (letters, digits and _; "
                                                        "not starting with a digit or _)"})
            continue
        if name in functions:
            problems.append({"field": field, "message": f"{name!r} is a function diagrams call: choose another "
                                                        "variable name"})
            continue
        _check_value(field, value, 0, problems)
    if problems:
        raise ValidationFailed("invalid variables", details=problems)
    return variables


def check_values(values: Any, *, field: str) -> dict[str, Any]:
    """A JSON object of plain values, whatever its keys name (correlation property ids, which may be any
    string); each problem under ``field.KEY``. Raises ValidationFailed."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ValidationFailed(f"{field} must be an object", details=[{"field": field, "message": "not an object"}])
    problems: list[dict[str, str]] = []
    for key, value in values.items():
        _check_value(f"{field}.{key}", value, 0, problems)
    if problems:
        raise ValidationFailed(f"invalid {field}", details=problems)
    return values


@functools.cache  # the script engine's functions are fixed when it is built
def function_names() -> frozenset[str]:
    """The names scripts and expressions have as functions (engine._spiff's script engine): no variable, nor
    a form field's, may take one."""
    from ._spiff import script_engine  # it builds on the engine's modules, which check variables through this

    return frozenset(script_engine.environment.globals)


def _check_value(path: str, value: Any, depth: int, problems: list[dict[str, str]]) -> None:
    if depth > MAX_DEPTH:
        problems.append({"field": path, "message": f"nested deeper than {MAX_DEPTH} levels"})
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in RESERVED_KEYS:
                problems.append({"field": f"{path}.{key}", "message": f"the key {key!r} is reserved"})
            else:
                _check_value(f"{path}.{key}", item, depth + 1, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(f"{path}.{index}", item, depth + 1, problems)
    elif isinstance(value, float) and not math.isfinite(value):
        problems.append({"field": path, "message": "numbers must be finite"})
    elif isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        problems.append({"field": path, "message": "integers must fit in 64 bits; send larger numbers as strings"})
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        problems.append({"field": path, "message": f"unsupported value type {type(value).__name__}"})
