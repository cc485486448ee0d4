"""Load instrument definitions from YAML files or stored snapshots, validating them first."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from instruments.checks import Problem, check_definition, table_key
from instruments.frozenmap import FrozenMap
from instruments.model import Instrument, Item, Licence, MissingPolicy, Option, ScoringRule
from instruments.schema import DEFINITION_SCHEMA

DEFINITIONS_DIR = Path(__file__).parent / "definitions"

_VALIDATOR = jsonschema.Draft202012Validator(DEFINITION_SCHEMA)
_REQUIRED_MESSAGE = re.compile(r"^'(?P<name>.+)' is a required property$")


class InstrumentDefinitionError(ValueError):
    """A definition file or snapshot is malformed; the message names the file and each bad field."""

    def __init__(self, origin: str, problems: Sequence[Problem]) -> None:
        self.origin = origin
        self.problems = list(problems)
        super().__init__("\n".join(f"{origin}: {field}: {message}" for field, message in self.problems))


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (plain PyYAML silently keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _field_path(parts: Iterable[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _schema_problems(data: object) -> list[Problem]:
    def order(error: jsonschema.ValidationError) -> tuple[tuple[int, int | str], ...]:
        return tuple((0, p) if isinstance(p, int) else (1, p) for p in error.absolute_path)

    problems: list[Problem] = []
    for error in sorted(_VALIDATOR.iter_errors(data), key=order):
        parts: list[str | int] = list(error.absolute_path)
        message = error.message
        required = _REQUIRED_MESSAGE.match(message) if error.validator == "required" else None
        if required:
            parts.append(required["name"])
            message = "required field is missing"
        problems.append((_field_path(parts), message))
    return problems


def _options(raw: Sequence[Mapping[str, Any]]) -> tuple[Option, ...]:
    return tuple(Option(code=int(o["code"]), label=o["label"]) for o in raw)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _item(raw: Mapping[str, Any], default_options: tuple[Option, ...]) -> Item:
    kind = raw["type"]
    options: tuple[Option, ...] = ()
    if kind == "choice":
        options = _options(raw["options"]) if raw.get("options") is not None else default_options
    return Item(
        key=raw["key"],
        text=raw["text"],
        type=kind,
        options=options,
        required=raw["required"],
        min=_optional_int(raw.get("min")),
        max=_optional_int(raw.get("max")),
        max_length=_optional_int(raw.get("max_length")),
        pattern=raw.get("pattern"),
        pattern_message=raw.get("pattern_message"),
        screener=raw.get("screener"),
        prefer_not_to_say=bool(raw.get("prefer_not_to_say", False)),
    )


def _rule(raw: Mapping[str, Any]) -> ScoringRule:
    table = None
    if raw.get("table") is not None:
        pairs = sorted((table_key(k), float(v)) for k, v in raw["table"].items())
        table = FrozenMap((int(k or 0), v) for k, v in pairs)  # keys were checked to be whole numbers
    low, high = raw["range"]
    return ScoringRule(
        name=raw["name"],
        method=raw["method"],
        items=tuple(raw.get("items") or ()),
        source=raw.get("source"),
        table=table,
        decimals=_optional_int(raw.get("decimals")),
        range=(low, high),
        label=raw["label"],
        reference=raw.get("reference"),
    )


def _build(data: Mapping[str, Any]) -> Instrument:
    default_options = _options(data.get("options") or ())
    licence = data["licence"]
    missing = data["missing"]
    return Instrument(
        key=data["key"],
        version=int(data["version"]),
        title=data["title"],
        stem=data["stem"],
        source=data["source"],
        licence=Licence(
            notice=licence["notice"],
            registration_required=licence["registration_required"],
            terms=licence["terms"],
        ),
        project_own=data["project_own"],
        estimated_seconds_per_item=int(data["estimated_seconds_per_item"]),
        missing=MissingPolicy(
            rule=missing["rule"],
            note=missing["note"],
            prorate_max_missing=FrozenMap(
                (name, int(limit)) for name, limit in (missing.get("prorate_max_missing") or {}).items()
            ),
        ),
        items=tuple(_item(raw, default_options) for raw in data["items"]),
        scoring=tuple(_rule(raw) for raw in data["scoring"]),
        item_templates=tuple(_item(raw, default_options) for raw in data.get("item_templates") or ()),
    )


def instrument_from_dict(data: Mapping[str, Any], *, origin: str = "<snapshot>") -> Instrument:
    """Build an Instrument from a definition or `Instrument.to_dict()` output, validating it first."""
    problems = _schema_problems(data)
    if not problems:
        problems = check_definition(data)
    if problems:
        raise InstrumentDefinitionError(origin, problems)
    return _build(data)


def load_definition(path: str | os.PathLike[str]) -> Instrument:
    """Load and validate one YAML definition file; InstrumentDefinitionError names file and field."""
    origin = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InstrumentDefinitionError(origin, [("(file)", f"not UTF-8 text: {error}")]) from error
    try:
        strict = _StrictLoader(text)  # what yaml.load does, with our SafeLoader subclass
        try:
            data = strict.get_single_data()
        finally:
            strict.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(YAML)"
        raise InstrumentDefinitionError(origin, [(where, str(error.problem or error))]) from error
    except yaml.YAMLError as error:
        raise InstrumentDefinitionError(origin, [("(YAML)", str(error))]) from error
    return instrument_from_dict(data, origin=origin)


@functools.cache
def _catalogue() -> dict[str, Instrument]:
    found: dict[str, Instrument] = {}
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        instrument = load_definition(path)
        if instrument.key != path.stem:
            problem = ("key", f"{instrument.key!r} does not match the file name {path.name!r}")
            raise InstrumentDefinitionError(str(path), [problem])
        found[instrument.key] = instrument
    return found


def catalogue() -> dict[str, Instrument]:
    """All instruments in instruments/definitions/, by key (loaded once, then cached)."""
    return dict(_catalogue())


def get(key: str) -> Instrument:
    """The catalogue instrument with this key; KeyError naming the known keys if there is none."""
    instruments = _catalogue()
    if key not in instruments:
        raise KeyError(f"unknown instrument {key!r}; known instruments: {', '.join(sorted(instruments))}")
    return instruments[key]
