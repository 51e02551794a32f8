"""The OpenAPI document, true to what the server does beyond what FastAPI derives from the endpoints.

- The served network's names: a field marked with :data:`~corridor.api.models.NAMES_KEY` lists its
  countries, sea passages, modes or cargo classes as an ``enum`` (each app describes its own dataset).
- Comma-separated query lists (``avoid=RU,IR``) are arrays serialised ``style: form, explode: false``.
- Every error is :class:`~corridor.api.models.ErrorOut`: FastAPI's own 422 model (a list of errors in
  ``detail``) is replaced, and every operation documents the limits any request may hit (413, 414, 504).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from .models import LIMITS, MAX_LIST, NAMES_KEY, WHY
from .vocabulary import Vocabulary

COMMA_LIST = "x-comma-list"
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def comma_list(kind: str, description: str) -> dict[str, Any]:
    """A query parameter's ``json_schema_extra``: comma-separated names of ``kind`` (an array in OpenAPI)."""
    return {NAMES_KEY: kind, COMMA_LIST: True, "description": description}


def install(app: FastAPI, vocabulary: Callable[[], Vocabulary]) -> None:
    """Make ``app.openapi`` amend FastAPI's document once, at its first request."""
    derive = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            amend(derive(), vocabulary().known)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def amend(doc: dict[str, Any], known: dict[str, tuple[str, ...]]) -> None:
    """Errors as ErrorOut, comma lists as arrays, names as enums (in place)."""
    for operation in operations(doc):
        errors_of(operation)
        for param in operation.get("parameters", []):
            if param["schema"].pop(COMMA_LIST, False):
                as_array(param)
    fill_names(doc, known)
    for name in FASTAPI_ERRORS:
        doc.get("components", {}).get("schemas", {}).pop(name, None)


def operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in doc.get("paths", {}).values() for method, op in path.items()
            if method in ("get", "put", "post", "delete", "patch", "options", "head")]


def errors_of(operation: dict[str, Any]) -> None:
    """ErrorOut for FastAPI's 422, and the limits every request may hit."""
    responses = operation.setdefault("responses", {})
    for code in (422, *LIMITS):
        current = responses.get(str(code))
        schema = (current or {}).get("content", {}).get("application/json", {}).get("schema", {})
        fastapi_422 = schema.get("$ref", "").endswith("/HTTPValidationError")
        if (current is None and code in LIMITS) or fastapi_422:
            responses[str(code)] = {"description": WHY[code], "content": {"application/json": {"schema": ERROR_REF}}}


def as_array(param: dict[str, Any]) -> None:
    """A comma-separated query list as OpenAPI says it: an array, ``style: form, explode: false``."""
    schema = param["schema"]
    description = schema.pop("description", "")
    param["schema"] = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 40},
                       "maxItems": MAX_LIST, "default": [], NAMES_KEY: schema.pop(NAMES_KEY)}
    param.update(style="form", explode=False, description=param.get("description") or description)


def fill_names(node: Any, known: dict[str, tuple[str, ...]]) -> None:
    """Every schema marked with a kind of names gets them as its ``enum`` (an array: its items)."""
    if isinstance(node, dict):
        kind = node.get(NAMES_KEY)
        if isinstance(kind, str) and kind in known:
            restrict(node, known[kind])
        for value in node.values():
            fill_names(value, known)
    elif isinstance(node, list):
        for value in node:
            fill_names(value, known)


def restrict(schema: dict[str, Any], names: tuple[str, ...]) -> None:
    if schema.get("type") == "array":
        if not names:  # e.g. a network without sea passages: the list can only be empty
            schema["maxItems"] = 0
        restrict(schema["items"], names)
    elif "anyOf" in schema:
        for option in schema["anyOf"]:
            if option.get("type") == "string":
                restrict(option, names)
    elif schema.get("type") == "string" and names:
        schema["enum"] = list(names)
