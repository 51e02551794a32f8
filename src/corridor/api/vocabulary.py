"""The names a request may use on the served network: its countries, its sea passages, its cargo classes.

A request field says which it takes (``json_schema_extra`` :data:`~corridor.api.models.NAMES_KEY`);
:meth:`Vocabulary.check` makes every such value canonical before any work is done, with the engine's
own rule (:func:`corridor.validate.choices`: any case, everyday aliases such as ``cape`` or a country's
name), and refuses an unknown one with a 422 that names the field, the value, the nearest names and the
known ones. The same lists fill the OpenAPI document's enums (:mod:`corridor.api.contract`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from .. import validate
from ..errors import InvalidOptionError
from ..network.schema import MODES
from ..routing import PASSAGE_ALIASES, Router
from .models import NAMES_KEY

M = TypeVar("M", bound=BaseModel)

#: what each kind of name is called in a message
WHAT = {"countries": "country code", "passages": "sea passage", "modes": "mode", "cargo": "cargo class"}


@dataclass(frozen=True)
class Vocabulary:
    """The known names of each kind (canonical spelling) and their aliases (alias → canonical name)."""

    known: dict[str, tuple[str, ...]]
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, router: Router) -> Vocabulary:
        """The names of ``router``'s network: the ISO codes of its places' countries (or their names),
        the passages its sea links use (or ``cape``, ``hormuz``), the modes and its cargo classes."""
        return cls(known={"countries": tuple(router.country_names), "passages": tuple(router.passages), "modes": MODES,
                          "cargo": tuple(str(c) for c in router.network.cargo["class"])},
                   aliases={"countries": router.country_aliases, "passages": dict(PASSAGE_ALIASES)})

    def canonical(self, kind: str, value: str) -> str:
        """The canonical name ``value`` stands for; :class:`~corridor.errors.InvalidOptionError` if none."""
        known = self.known[kind]
        found = validate.choices([value], known, WHAT[kind], upper=kind == "countries", aliases=self.aliases.get(kind),
                                 allowed=None if known else f"the network has no {WHAT[kind]}s")
        if not found:  # only blanks: choices skips them
            raise InvalidOptionError(f"a {WHAT[kind]} cannot be blank; known: {', '.join(known)}")
        return found[0]

    def nearest(self, kind: str, value: str) -> list[str]:
        """Up to three known names nearest to ``value`` (by spelling, any case, aliases too)."""
        return validate.nearest(value, self.known[kind], self.aliases.get(kind))

    def check(self, model: M, *where: str | int) -> M:
        """``model`` with every name canonical (nested request models too); else RequestValidationError
        with one problem per unknown name, located at ``where`` + the field (+ the item's index)."""
        update: dict[str, Any] = {}
        problems: list[dict[str, Any]] = []
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            try:
                if isinstance(value, BaseModel):
                    update[name] = self.check(value, *where, name)
                elif extra.get(NAMES_KEY) and value is not None:
                    update[name] = self._field(str(extra[NAMES_KEY]), value, (*where, name))
            except RequestValidationError as exc:
                problems += exc.errors()
        if problems:
            raise RequestValidationError(problems)
        return model.model_copy(update=update)

    def _field(self, kind: str, value: str | list[str], loc: tuple[str | int, ...]) -> str | list[str]:
        """One field's value made canonical (a list without repeats)."""
        items = value if isinstance(value, list) else [value]
        good, problems = [], []
        for i, item in enumerate(items):
            try:
                good.append(self.canonical(kind, item))
            except InvalidOptionError as exc:
                problems.append({"type": "unknown_name", "loc": (*loc, i) if isinstance(value, list) else loc,
                                 "msg": str(exc), "input": item, "ctx": {"suggestions": self.nearest(kind, item)}})
        if problems:
            raise RequestValidationError(problems)
        return list(dict.fromkeys(good)) if isinstance(value, list) else good[0]
