"""A deployed form compiled once into a marshmallow schema, and the per-process cache of them.

``CompiledForm.validate`` is what completing a task pays: evaluate the hide and readonly
conditions, drop what they exclude, and load the rest through the prebuilt schema.
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields

from . import feel
from ._form_fields import Broken, build, is_option
from ._form_reader import Condition, FieldDef, FormDef, read
from .errors import DeploymentInvalid, ValidationFailed

UNKNOWN = Broken("unknown", "unknown: not a field of this form; a task may only ask for what its form lists")
READONLY = Broken("readonly", "readonly: cannot be changed in this task")


class _FormSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": UNKNOWN, "type": Broken("type", "type: expects an object", expected="object")}


class CompiledForm:
    """A checked form-js schema and the validator built from it."""

    def __init__(self, form: FormDef) -> None:
        self.name, self.form_id, self.schema = form.name, form.form_id, form.schema
        self.fields = form.fields
        self._order = {spec.key: index for index, spec in enumerate(form.fields)}
        self._labels = {spec.key: spec.label for spec in form.fields}
        # Field attributes are synthetic (f0, f1 ...) so a key can never collide with a Schema attribute;
        # data_key/attribute keep the form's own names in the data and in error messages.
        self._attr_paths: dict[str, str] = {}  # field key -> attribute path, for marshmallow's partial
        self._validator = self._schema_class(form.fields, (), "")()

    def _schema_class(self, specs: list[FieldDef], prefix: tuple[str, ...], attr_prefix: str) -> type[Schema]:
        children: dict[str, list[FieldDef]] = {}
        for spec in specs:
            children.setdefault(spec.path[len(prefix)], []).append(spec)
        attrs: dict[str, fields.Field] = {}
        for index, (step, group) in enumerate(children.items()):
            attr = f"{attr_prefix}f{index}"
            if group[0].path == prefix + (step,):  # a value (the reader refused keys inside other values)
                field = build(group[0])
                self._attr_paths[group[0].key] = attr
            else:  # an object: a group's path or the head of dotted keys
                field = fields.Nested(self._schema_class(group, prefix + (step,), attr + ".")())
            field.data_key = field.attribute = step
            attrs[attr.rpartition(".")[2]] = field
        return _FormSchema.from_dict(attrs, name="Form")

    def validate(self, submitted: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
        """Check a submission against the form; return the values to store.

        Hide conditions see the submission merged over the current data: a hidden field is not
        required and its value is dropped. A readonly or disabled field may be sent back unchanged
        (form-js does) but not changed. A shown checkbox left out is unticked (false), as form-js sends it. Nested values (group paths, dotted keys) are merged into the
        current objects, so data the form does not show is kept.

        Raises:
            ValidationFailed: with one ``{"field", "message", "label", "rule", "params"}`` per broken rule,
                in form order. ``label`` is the form's label of the field (None for fields the form lacks);
                ``rule`` is the rule's stable code (``required``, ``options``, ``type`` ...; None for a
                message marshmallow wrote itself) and ``params`` what the rule was given, so a page can
                say ``message`` in its own language.
        """
        data = copy.deepcopy(dict(submitted))
        # A checkbox is ticked or not: one left out is unticked, as form-js sends it (a gateway reading it reads
        # false, not a missing name), unless the case holds its value; hidden ones are dropped below.
        for spec in self.fields:
            if spec.type == "checkbox" and not _get(data, spec.path)[0] and not _get(current, spec.path)[0]:
                _ensure_parents(data, spec.path)
                parent = _get(data, spec.path[:-1])[1]
                if isinstance(parent, dict):
                    parent[spec.path[-1]] = False
        merged = merge(current, data)
        problems: list[tuple[str, str]] = []  # (field, message); the messages are mostly Broken
        skipped: set[str] = set()
        for spec in self.fields:
            if _any_holds(spec.hide, merged):
                _remove(data, spec.path)
                skipped.add(spec.key)
            elif _any_holds(spec.locked, merged):
                skipped.add(spec.key)
                sent, value = _get(data, spec.path)
                if sent and not _unchanged(value, *_get(current, spec.path)):
                    problems.append((spec.key, READONLY))
                _remove(data, spec.path)
        for spec in self.fields:  # a required field inside a missing object is reported by its own name
            if spec.required and spec.key not in skipped and len(spec.path) > 1:
                _ensure_parents(data, spec.path)
        try:
            loaded = self._validator.load(data, partial=[self._attr_paths[key] for key in skipped])
        except ValidationError as exc:
            problems.extend(_flatten(exc.messages))
            loaded = {}
        problems.extend(self._dynamic_options(loaded, merged))
        if problems:
            problems.sort(key=lambda p: self._order.get(p[0], len(self._order)))
            names = ", ".join(dict.fromkeys(field for field, _ in problems))
            raise ValidationFailed(f"the form {self.name} is not filled in correctly: {names}",
                                   details=[self._detail(field, message) for field, message in problems])
        return {key: merge(current[key], value) if isinstance(value, dict) and isinstance(current.get(key), dict)
                else value for key, value in _pruned(loaded).items()}

    def _detail(self, field: str, message: str) -> dict[str, Any]:
        rule, params = (message.rule, copy.deepcopy(message.params)) if isinstance(message, Broken) else (None, {})
        return {"field": field, "message": str(message), "label": self._labels.get(field), "rule": rule,
                "params": params}

    def _dynamic_options(self, loaded: Mapping[str, Any], merged: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Options read from the data (``valuesKey``) are known only now."""
        problems: list[tuple[str, str]] = []
        for spec in self.fields:
            key = spec.rules.get("options_key")
            sent, value = _get(loaded, spec.path)
            if key is None or not sent or value in (None, "", []):
                continue
            source = feel.lookup(merged, key.split("."))
            allowed = [o.get("value") if isinstance(o, Mapping) else o for o in source] \
                if isinstance(source, list) else []
            chosen = value if isinstance(value, list) else [value]
            if not all(is_option(v, allowed) for v in chosen):
                problems.append((spec.key, Broken("options", "options: must be one of the options in " + key,
                                                  options_key=key)))
        return problems

    def prefill(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The part of ``data`` the form shows: its fields' values, and the options its choice fields read
        from the data (``valuesKey``), nested as in the data."""
        out: dict[str, Any] = {}
        paths = [spec.path for spec in self.fields]
        paths += [tuple(spec.rules["options_key"].split(".")) for spec in self.fields if "options_key" in spec.rules]
        for path in paths:
            found, value = _get(data, path)
            if not found:
                continue
            target: Any = out
            for step in path[:-1]:
                target = target.setdefault(step, {}) if isinstance(target, dict) else None
            if isinstance(target, dict):  # options under a path a field's own value holds come with it
                target[path[-1]] = value
        return out


def compile_form(name: str, content: bytes) -> CompiledForm:
    """Raises DeploymentInvalid with the problems of a broken form."""
    form, problems = read(name, content)
    if form is None:
        raise DeploymentInvalid(f"form {name} is invalid", details=[p.as_dict() for p in problems])
    return CompiledForm(form)


class FormCache:
    """Compiled forms by content hash: a deployed form never changes, so each compiles once per process."""

    def __init__(self) -> None:
        self._forms: dict[str, CompiledForm] = {}
        self._lock = threading.Lock()

    def get(self, sha256: str, name: str, load: Callable[[], bytes]) -> CompiledForm:
        """``load`` reads the form's bytes, called only when it is not compiled yet. Raises DeploymentInvalid."""
        found = self._forms.get(sha256)
        if found is None:
            found = compile_form(name, load())
            with self._lock:
                self._forms[sha256] = found
        return found


def merge(base: Any, update: Any) -> Any:
    """``update`` over ``base``, recursing into objects both sides have."""
    if not isinstance(base, Mapping) or not isinstance(update, Mapping):
        return update
    out = dict(base)
    for key, value in update.items():
        out[key] = merge(base.get(key), value) if key in base else value
    return out


def _unchanged(value: Any, held: bool, before: Any) -> bool:
    """A readonly field sent back as it is: its value, or — the data lacking it — the empty value form-js
    gives a field it shows empty ("" for text, false for a checkbox, null, [])."""
    if not held:
        return value is None or value is False or value == "" or value == []
    return feel.equal(value, before) is True


def _any_holds(conditions: tuple[Condition, ...], data: Mapping[str, Any]) -> bool:
    return any(c is True or (isinstance(c, feel.Expression) and c.is_true(data)) for c in conditions)


def _get(data: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    for step in path:
        if not isinstance(data, Mapping) or step not in data:
            return False, None
        data = data[step]
    return True, data


def _remove(data: dict[str, Any], path: tuple[str, ...]) -> None:
    for step in path[:-1]:
        data = data.get(step)  # type: ignore[assignment]
        if not isinstance(data, dict):
            return
    data.pop(path[-1], None)


def _ensure_parents(data: dict[str, Any], path: tuple[str, ...]) -> None:
    for step in path[:-1]:
        if step not in data:
            data[step] = {}
        data = data[step]
        if not isinstance(data, dict):
            return  # not an object: the schema reports its type


def _pruned(data: dict[str, Any]) -> dict[str, Any]:
    """Objects emptied by dropping hidden or readonly values are not stored."""
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _pruned(value)
            if not value:
                continue
        out[key] = value
    return out


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        return [item for key, value in messages.items()
                for item in _flatten(value, prefix if key == "_schema" else f"{prefix}.{key}".lstrip("."))]
    if isinstance(messages, list):
        return [item for value in messages for item in _flatten(value, prefix)]
    return [(prefix or "_form", messages if isinstance(messages, str) else str(messages))]

