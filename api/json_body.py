"""How the API reads JSON arguments: the blueprint every API module declares its endpoints on.

- A body sent to an endpoint that takes JSON under another Content-Type (text/plain, a form, none at all)
  is refused with 415. Read as "no body", a start retried that way would open a new case without its
  data each time, and a completion would fail on fields the body does hold.
- JSON nested deeper than the parser can follow is a 400 naming the cause, not a crash.
- A query parameter an endpoint does not take is a 422 naming it: a misspelt filter (``businessKey`` for
  ``business_key``) would otherwise answer every case, as if it had been honoured; so is one given twice
  where the endpoint takes one value.
- A JSON body sent to an endpoint that takes none (unclaim, resume, a DELETE) is still read: malformed, it
  is a 400; with fields, a 422 naming them. Ignored, a caller who meant something by them (a reason to
  resume) would never learn that it was not kept. An empty object or ``null`` is accepted. Likewise a query
  parameter sent to an endpoint that takes none (``GET /api/webhooks?limit=1``) is a 422 naming it.
"""
from __future__ import annotations

import codecs
import json
import sys
from typing import Any

import flask
import flask_smorest
import marshmallow as ma
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from engine.errors import InvalidRequest, UnsupportedType, ValidationFailed


def has_body(request: flask.Request) -> bool:
    """Whether the request carries a body, without reading it (a chunked one has no length)."""
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


class DuplicateKey(ValueError):
    """An object names a key twice: parsers disagree on which value counts ({"approved": true, "approved": false})."""

    def __init__(self, key: str) -> None:
        super().__init__(f"names {key!r} twice in one object")
        self.key = key


class NumberTooLong(ValueError):
    """A number with more digits than the interpreter turns into an int (sys.get_int_max_str_digits)."""

    def __init__(self, digits: int) -> None:
        super().__init__(f"holds a number of {digits} digits, more than {MAX_DIGITS}")
        self.digits = digits


MAX_DIGITS = sys.get_int_max_str_digits() or 4300


def loads(text: str | bytes) -> Any:
    """``json.loads``, an object naming a key twice raising DuplicateKey, and a number too long to read
    NumberTooLong (both ValueErrors, as malformed JSON)."""
    return json.loads(text, object_pairs_hook=_each_key_once, parse_int=_whole_number)


def _whole_number(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise NumberTooLong(digits)
    return int(text)


def parse_json(data: bytes, *, any_utf: bool = False) -> Any:
    """The body parsed, a body nested past the interpreter's recursion limit answered with a 400.
    ``any_utf``: UTF-16 and UTF-32 too, as ``json.loads`` detects them (webargs reads UTF-8 only).

    JSON on the wire is UTF-8 (RFC 8259). A UTF-8 byte order mark, which some Windows tools write, is
    skipped, as the RFC allows; a body in UTF-16 or UTF-32 is a 400 that says so. An object naming a key
    twice is a 400 too (DuplicateKey), as is a number too long to read (NumberTooLong)."""
    try:
        if any_utf:
            return loads(data)
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or 0 in data[:4]:  # no UTF-8 JSON has NUL
            raise InvalidRequest("the JSON body must be encoded as UTF-8, not UTF-16 or UTF-32 (RFC 8259)")
        data = data.removeprefix(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return core.parse_json(data)  # raises webargs' decoding error, which api.errors answers
        return loads(text)
    except DuplicateKey as exc:
        raise InvalidRequest(f"the JSON body names {exc.key!r} twice in one object: send each key once",
                             details=[{"field": exc.key, "message": "named twice in one object"}]) from None
    except NumberTooLong as exc:
        raise InvalidRequest(f"the JSON body {exc}: no value here is that long") from None
    except RecursionError:
        raise InvalidRequest("the JSON body is nested too deeply") from None


def refuse_what_is_not_taken() -> None:
    """Before an API endpoint runs: refuse a query parameter or a JSON body it takes none of (see above)."""
    request = flask.request
    if not request.path.startswith("/api/"):
        return
    taken = _taken(request)
    if taken is None:  # not one of the API's documented operations (the OpenAPI document, health)
        return
    if request.args and "query" not in taken:  # those with a query schema refuse unknown ones themselves
        raise ValidationFailed(f"{request.method} {request.path} takes no query parameters",
                               details=[{"field": key, "message": "Unknown field."} for key in request.args])
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and "json" not in taken and "body" not in taken \
            and has_body(request):
        if not is_json_request(request):  # a form's reason=x would be dropped as surely as a JSON one
            raise UnsupportedType(f"{request.method} {request.path} takes no body, not {request.mimetype or 'one'}: "
                                  "send none")
        _refuse_body(request)


def _taken(request: flask.Request) -> set[str] | None:
    """Where the endpoint's operation takes arguments: "query", "json", and "body" for a body it reads itself
    (an upload's multipart, documented by hand); None for a route that is no documented operation."""
    view = flask.current_app.view_functions.get(request.endpoint or "")
    verb = "get" if request.method == "HEAD" else request.method.lower()  # HEAD is answered by GET
    method = getattr(getattr(view, "view_class", None), verb, None)
    doc = getattr(method, "_apidoc", None)
    if doc is None:
        return None
    taken = {str(p.get("in")) for p in doc.get("arguments", {}).get("parameters", [])}
    return taken | ({"body"} if "requestBody" in doc.get("manual_doc", {}) else set())


def _refuse_body(request: flask.Request) -> None:
    try:
        body = parse_json(request.get_data(cache=True))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:  # as the parser answers it: api.errors
        abort(400, exc=exc, messages={"json": ["Invalid JSON body."]})
    if body in (None, {}):
        return
    details = ([{"field": str(key), "message": "Unknown field."} for key in body] if isinstance(body, dict)
               else [{"field": "_schema", "message": "this endpoint takes no body"}])
    raise ValidationFailed(f"{request.method} {request.path} takes no body: send none", details=details)


def _each_key_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen.add(key)
    return dict(pairs)


class JsonBodyParser(FlaskParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[ma.Schema], ma.Schema] = {}

    def _get_schema(self, argmap: Any, req: flask.Request) -> ma.Schema:
        # webargs builds a schema class's instance on every request; the API's schemas keep no state
        # between loads, so one instance per class serves every request (and thread).
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            return schema if schema is not None else self._schemas.setdefault(argmap, argmap())
        return super()._get_schema(argmap, req)

    def load_querystring(self, req: flask.Request, schema: ma.Schema) -> Any:
        # A parameter given twice where one value is taken (?state=running&state=completed) would answer for
        # the first alone, as if the second had been honoured too.
        repeated = sorted(key for key in req.args if key in schema.fields and len(req.args.getlist(key)) > 1
                          and not isinstance(schema.fields[key], ma.fields.List))
        if repeated:
            raise ma.ValidationError({key: ["given more than once: give one value"] for key in repeated})
        return super().load_querystring(req, schema)

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            if has_body(req):
                raise UnsupportedType(f"this endpoint takes a JSON body (Content-Type: application/json), "
                                      f"not {req.mimetype or 'a body without a Content-Type'}")
            return core.missing
        encoding = req.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):  # a gzip body read as JSON would be "not UTF-8"
            raise UnsupportedType(f"a body with Content-Encoding {encoding} is not accepted: send the JSON "
                                  "uncompressed")
        return parse_json(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JsonBodyParser()

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        if location == "query":
            kwargs.setdefault("unknown", ma.RAISE)
        if location == "json":
            schema = json_types(schema() if isinstance(schema, type) else schema)
        return super().arguments(schema, location=location, **kwargs)


def json_types(schema: ma.Schema) -> ma.Schema:
    """``schema`` taking JSON's own types, as a JSON body has them: an integer field an integer (not 1.9, cut to
    1, nor "2"), a boolean field true or false (not "no" or 0, which marshmallow reads as false). A query
    string's values are all text, and keep marshmallow's reading. Changes the instance's own fields (each
    schema instance has copies of its class's), nested schemas and list items included."""
    for found in schema.fields.values():
        _json_field(found)
    return schema


class _JsonBoolean(ma.fields.Boolean):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):  # 0 == False to Python: a set of truthy values cannot tell them apart
            raise self.make_error("invalid", input=value)
        return value


def _json_field(found: ma.fields.Field) -> None:
    if isinstance(found, ma.fields.Integer):
        found.strict = True  # an integral number: not 1.9 nor "2" (marshmallow refuses true and false itself)
    elif type(found) is ma.fields.Boolean:
        found.__class__ = _JsonBoolean  # the stricter reading: it adds no state
    elif isinstance(found, ma.fields.Nested) and isinstance(found.schema, ma.Schema):
        json_types(found.schema)
    elif isinstance(found, ma.fields.List):
        _json_field(found.inner)
    elif isinstance(found, ma.fields.Dict) and found.value_field is not None:
        _json_field(found.value_field)
