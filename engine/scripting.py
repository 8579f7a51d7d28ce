"""Sandboxed evaluation of the Python scripts and expressions in deployed BPMN diagrams.

SpiffWorkflow evaluates gateway conditions, timer values, multi-instance expressions and
scripts as Python with the task data as globals. Diagrams come from analysts, so everything
here is compiled with RestrictedPython: no imports, no names or attributes starting with
``_``, no ``str.format`` (its field syntax reaches attributes), and only a curated set of
builtins. There are no CPU or memory limits: ``while True: pass`` still hangs a worker.
"""

from __future__ import annotations

import builtins
import datetime as dt
import functools
import logging
import operator
import re
import textwrap
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from RestrictedPython import (
    CompileResult,
    PrintCollector,
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
)
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from .errors import ValidationFailed

log = logging.getLogger(__name__)

Mode = Literal["exec", "eval"]

_BUILTIN_NAMES = (
    "len", "min", "max", "sum", "sorted", "reversed", "any", "all", "abs", "round", "range",
    "enumerate", "zip", "map", "filter", "str", "int", "float", "bool", "list", "dict", "set",
    "tuple", "isinstance", "divmod", "True", "False", "None",
    # So a script can reject bad input with a readable message.
    "Exception", "ValueError",
)
# Deliberately absent: __build_class__, open, eval, exec, compile, getattr,
# setattr, globals, locals, vars, dir, type, object, format, print (see _print_ below).
SAFE_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in _BUILTIN_NAMES}
SAFE_BUILTINS.update(
    datetime=dt.datetime, date=dt.date, timedelta=dt.timedelta, timezone=dt.timezone
)

# C code in the datetime module imports `time` and `_strptime` through the *calling frame's*
# __builtins__ (date.today(), strftime, strptime fail with KeyError '__import__' without it).
# Scripts can neither name __import__ (underscore) nor use import statements (_Policy), so
# this only serves those internal imports.
_INTERNAL_IMPORTS = frozenset({"time", "_strptime"})


def _internal_import(name: str, globals: Any = None, locals: Any = None,
                     fromlist: Any = (), level: int = 0) -> types.ModuleType:
    if level or name not in _INTERNAL_IMPORTS:
        raise ImportError(f"import of {name!r} is not allowed")
    return builtins.__import__(name, globals, locals, fromlist, level)


SAFE_BUILTINS["__import__"] = _internal_import

# Python's augmented-assignment operators; RestrictedPython rewrites `x += y` into
# `x = _inplacevar_('+=', x, y)` so the policy decides what each operator does.
_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
    "<<=": operator.ilshift, ">>=": operator.irshift, "&=": operator.iand,
    "|=": operator.ior, "^=": operator.ixor, "@=": operator.imatmul,
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    try:
        return _INPLACE_OPERATORS[op](target, value)
    except KeyError:
        raise ValueError(f"unsupported in-place operator {op!r}") from None


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


# The helpers the rewritten code calls. Iteration needs no per-item policy here, which is
# why sorted/zip/tuple etc. (iterating in C, "bypassing" _getiter_) are safe to offer.
_GUARDS: dict[str, Any] = {
    # The *_raise variant: plain safer_getattr returns None for a missing attribute,
    # which would turn typos into silent None values.
    "_getattr_": safer_getattr_raise,
    "_getitem_": operator.getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    # Lets `d['k'] = v` through for dicts and lists only; attribute writes fail.
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
    # print() becomes `_print._call_print(...)`; the collector keeps the text in memory.
    "_print_": PrintCollector,
}
# Set last in every namespace so task data can never shadow them.
_PROTECTED: dict[str, Any] = {"__builtins__": SAFE_BUILTINS, **_GUARDS}
_PRINT_VAR = "_print"  # where the rewritten code keeps its PrintCollector


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus deploy-time errors for imports and classes.

    RestrictedPython itself accepts both (leaving them to __import__/__build_class__ at run
    time); we offer neither, so check_script should say so.
    """

    def visit_Import(self, node: Any) -> Any:
        self.error(node, "Imports are not allowed.")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: Any) -> Any:
        self.error(node, "Class definitions are not allowed.")
        return node


class ScriptRestrictionError(SyntaxError):
    """A script or expression does not compile under the sandbox rules."""

    def __str__(self) -> str:
        # The messages already start with 'Line N:'; SyntaxError would append '(line N)'.
        return str(self.msg)


@functools.lru_cache(maxsize=4096)
def _compile(source: str, mode: Mode) -> CompileResult:
    # Text from BPMN XML is often indented; eval() tolerates that but ast.parse does not.
    # The default filename '<string>' is what Spiff looks for to report line numbers.
    if mode == "eval":
        return compile_restricted_eval(source.strip(), policy=_Policy)
    return compile_restricted_exec(textwrap.dedent(source), policy=_Policy)


def _problem_error(problems: Sequence[str]) -> ScriptRestrictionError:
    err = ScriptRestrictionError("; ".join(problems))
    match = re.match(r"Line (\d+):", problems[0])
    err.lineno = int(match.group(1)) if match else None
    return err


def _code(source: str, mode: Mode) -> types.CodeType:
    result = _compile(source, mode)
    if result.errors:
        raise _problem_error(result.errors)
    assert result.code is not None
    return result.code


def check_script(source: str) -> list[str]:
    """Problems that stop `source` running as a script ('Line N: ...'); empty when fine."""
    return list(_compile(source, "exec").errors)


def check_expression(source: str) -> list[str]:
    """Problems that stop `source` being evaluated as an expression; empty when fine."""
    return list(_compile(source, "eval").errors)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Like Spiff's TaskDataEnvironment, but compiled and run under RestrictedPython."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__(dict(functions or {}))

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        """Value of `expression` with the functions, external context and task data as globals."""
        code = _code(expression, "eval")
        scope = {**self.globals, **(external_context or {}), **context, **_PROTECTED}
        return eval(code, scope)  # a restricted code object

    def execute(self, script: str, context: dict[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        """Run `script` with the task data dict as globals; new variables stay in it."""
        external = external_context or {}
        self.check_for_overwrite(context, external)
        code = _code(script, "exec")  # before touching the task data
        for names in (self.globals, external, _PROTECTED):
            context.update(names)
        try:
            exec(code, context)
        finally:
            self._remove_non_data(context, external)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise NotImplementedError("Service tasks are not supported: no services are configured.")

    def check_for_overwrite(self, context: Mapping[str, Any], external_context: Mapping[str, Any]) -> None:
        """Fail fast when task data hides a provided function, instead of 'x is not callable'."""
        clashes = sorted((set(self.globals) | set(external_context)) & set(context))
        if clashes:
            raise ValueError(
                "Task data overwrites predefined function(s); rename these variables or "
                f"fields: {', '.join(clashes)}"
            )

    def _remove_non_data(self, context: dict[str, Any], external: Mapping[str, Any]) -> None:
        collector = context.get(_PRINT_VAR)
        if isinstance(collector, PrintCollector) and collector.txt:
            log.debug("script printed: %s", collector())
        for key in list(context):
            value = context[key]
            if (
                key in _PROTECTED
                or key == _PRINT_VAR
                or key in self.globals
                or key in external
                or callable(value)  # functions and classes: scripts' own defs, datetime, ...
                or isinstance(value, types.ModuleType)
            ):
                del context[key]


class RestrictedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine whose validation applies the sandbox rules too."""

    def __init__(self, environment: RestrictedEnvironment | None = None) -> None:
        super().__init__(environment or RestrictedEnvironment())

    def validate(self, expression: str) -> None:
        # Spiff (DMN) calls this expecting SyntaxError; exec mode accepts expressions too.
        problems = check_script(expression)
        if problems:
            raise _problem_error(problems)

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        # Spiff's version refers to an undefined `script` in its error path (NameError).
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as err:
            raise WorkflowTaskException(str(err), task=task, exception=err) from err

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        if isinstance(err, ValidationFailed):  # a script turning the input down (diagram_functions.refuse)
            return err
        # Spiff concatenates err.args[0] to a str, so KeyError(1) would raise a TypeError.
        if err.args and not isinstance(err.args[0], str):
            err.args = (repr(err.args[0]), *err.args[1:])
        return super().create_task_exec_exception(task, script, err)


def make_script_engine(functions: Mapping[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    """A Spiff script engine that runs diagram code in the sandbox with `functions` available."""
    return RestrictedScriptEngine(RestrictedEnvironment(functions))
