"""Cross-field checks on a definition that has already passed the JSON Schema.

Each check returns (field path, message) pairs, e.g. ("items[3].key", "duplicate item key 'x'").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Problem = tuple[str, str]

_RAW_TOTAL = re.compile(r"^-?[0-9]+$")


def table_key(raw: object) -> int | None:
    """A lookup-table key as an int: ints in YAML, digit strings in JSON snapshots; None if neither."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and _RAW_TOTAL.match(raw):
        return int(raw)
    return None


def check_definition(data: Mapping[str, Any]) -> list[Problem]:
    """Return every semantic problem in a schema-valid definition (empty list if none)."""
    problems = list(_check_items(data, "items"))
    problems += _check_items(data, "item_templates")
    if not data["items"] and not data.get("item_templates"):
        problems.append(("items", "an instrument needs at least one item or item template"))
    if data.get("options") is not None:
        problems += _check_options(data["options"], "options")
    if not problems:  # scoring checks assume the items are sound
        problems += _check_scoring(data)
    if not problems:
        problems += _check_missing(data)
    return problems


def _check_options(options: Sequence[Mapping[str, Any]], where: str) -> Iterator[Problem]:
    seen_codes: set[int] = set()
    seen_labels: set[str] = set()
    for j, option in enumerate(options):
        if option["code"] in seen_codes:
            yield f"{where}[{j}].code", f"duplicate option code {option['code']!r}"
        if option["label"] in seen_labels:
            yield f"{where}[{j}].label", f"duplicate option label {option['label']!r}"
        seen_codes.add(option["code"])
        seen_labels.add(option["label"])


def _check_items(data: Mapping[str, Any], section: str) -> Iterator[Problem]:
    first_use: dict[str, int] = {}
    for i, item in enumerate(data.get(section) or ()):
        where = f"{section}[{i}]"
        key = item["key"]
        if key in first_use:
            yield f"{where}.key", f"duplicate item key {key!r} (first used at {section}[{first_use[key]}])"
        first_use.setdefault(key, i)
        if section == "item_templates" and "{name}" not in item["text"]:
            yield f"{where}.text", "a template item's text must contain {name}"
        yield from _check_item_fields(item, where, has_default_options=data.get("options") is not None)


def _check_item_fields(item: Mapping[str, Any], where: str, *, has_default_options: bool) -> Iterator[Problem]:
    kind = item["type"]
    allowed = {
        "choice": {"options"},
        "integer": {"min", "max"},
        "text": {"max_length", "pattern", "pattern_message"},
    }[kind]
    for name in ("options", "min", "max", "max_length", "pattern", "pattern_message"):
        if name not in allowed and item.get(name) is not None:
            yield f"{where}.{name}", f"not allowed on a {kind} item"
    if item.get("screener") is not None:
        options = item.get("options") or []
        if kind != "choice" or not item.get("required"):
            yield f"{where}.screener", "allowed only on a required choice item"
        elif options and options[0].get("code") != 0:
            yield f"{where}.screener", "the first option must be code 0, which a 'No' to the screener records"
    if kind == "choice":
        if item.get("options") is not None:
            yield from _check_options(item["options"], f"{where}.options")
        elif not has_default_options:
            yield f"{where}.options", "a choice item needs options (the instrument has no default options)"
    elif kind == "integer":
        for name in ("min", "max"):
            if item.get(name) is None:
                yield f"{where}.{name}", "required for an integer item"
        if item.get("min") is not None and item.get("max") is not None and item["min"] > item["max"]:
            yield f"{where}.min", f"min {item['min']} is greater than max {item['max']}"
    else:
        if item.get("max_length") is None:
            yield f"{where}.max_length", "required for a text item"
        pattern = item.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                yield f"{where}.pattern", f"not a valid regular expression: {error}"
            if not item.get("pattern_message"):
                yield f"{where}.pattern_message", "required when a pattern is given"


def _item_bounds(item: Mapping[str, Any], default_options: Sequence[Mapping[str, Any]] | None) -> tuple[int, int]:
    if item["type"] == "integer":
        return item["min"], item["max"]
    codes = [option["code"] for option in (item.get("options") or default_options or ())]
    return min(codes), max(codes)


def _check_scoring(data: Mapping[str, Any]) -> Iterator[Problem]:
    items = {item["key"]: item for item in data["items"]}
    earlier: dict[str, Mapping[str, Any]] = {}
    for i, rule in enumerate(data["scoring"]):
        where = f"scoring[{i}]"
        name = rule["name"]
        if name in earlier:
            yield f"{where}.name", f"duplicate scoring rule name {name!r}"
        if name in items:
            yield f"{where}.name", f"score name {name!r} is also an item key"
        low, high = rule["range"]
        if low > high:
            yield f"{where}.range", f"minimum {low} is greater than maximum {high}"
        if rule["method"] == "lookup":
            yield from _check_lookup(rule, where, earlier)
        else:
            yield from _check_aggregate(rule, where, items, data.get("options"))
        earlier[name] = rule


def _check_aggregate(
    rule: Mapping[str, Any],
    where: str,
    items: Mapping[str, Mapping[str, Any]],
    default_options: Sequence[Mapping[str, Any]] | None,
) -> Iterator[Problem]:
    for name in ("source", "table"):
        if rule.get(name) is not None:
            yield f"{where}.{name}", f"not allowed on a {rule['method']} rule"
    if not rule.get("items"):
        yield f"{where}.items", f"a {rule['method']} rule needs items"
        return
    seen: set[str] = set()
    bounds: list[tuple[int, int]] = []
    for j, key in enumerate(rule["items"]):
        if key not in items:
            yield f"{where}.items[{j}]", f"unknown item {key!r}"
            continue
        if key in seen:
            yield f"{where}.items[{j}]", f"item {key!r} is listed twice"
        seen.add(key)
        if items[key]["type"] == "text":
            yield f"{where}.items[{j}]", f"text item {key!r} cannot be scored"
            continue
        bounds.append(_item_bounds(items[key], default_options))
    if len(bounds) != len(rule["items"]):
        return
    if rule["method"] == "sum":
        possible = (sum(b[0] for b in bounds), sum(b[1] for b in bounds))
    else:
        possible = (min(b[0] for b in bounds), max(b[1] for b in bounds))
    if tuple(rule["range"]) != possible:
        yield f"{where}.range", f"{list(rule['range'])} does not match the items (possible {possible[0]}-{possible[1]})"


def _check_lookup(rule: Mapping[str, Any], where: str, earlier: Mapping[str, Mapping[str, Any]]) -> Iterator[Problem]:
    if rule.get("items") is not None:
        yield f"{where}.items", "not allowed on a lookup rule (it reads its source score)"
    source = rule.get("source")
    if source is None:
        yield f"{where}.source", "a lookup rule needs a source score"
        return
    if source not in earlier:
        yield f"{where}.source", f"{source!r} is not the name of an earlier scoring rule"
        return
    if earlier[source]["method"] != "sum":
        yield f"{where}.source", f"{source!r} is not a sum, so it has no whole-number totals to look up"
        return
    table = rule.get("table")
    if table is None:
        yield f"{where}.table", "a lookup rule needs a table"
        return
    keys: set[int] = set()
    for raw in table:
        key = table_key(raw)
        if key is None:
            yield f"{where}.table.{raw}", f"{raw!r} is not a whole-number raw total"
        else:
            keys.add(key)
    low, high = earlier[source]["range"]
    for total in range(int(low), int(high) + 1):
        if total not in keys:
            yield f"{where}.table", f"no value for raw total {total} (the range of {source!r} is {low}-{high})"
    for total in sorted(keys):
        if not low <= total <= high:
            yield f"{where}.table.{total}", f"raw total {total} is outside the range of {source!r} ({low}-{high})"
    values = list(table.values())
    if values and tuple(rule["range"]) != (min(values), max(values)):
        yield f"{where}.range", f"{list(rule['range'])} does not match the table (possible {min(values)}-{max(values)})"


def _check_missing(data: Mapping[str, Any]) -> Iterator[Problem]:
    rules = {rule["name"]: rule for rule in data["scoring"]}
    for name, limit in (data["missing"].get("prorate_max_missing") or {}).items():
        where = f"missing.prorate_max_missing.{name}"
        if name not in rules:
            yield where, f"no scoring rule named {name!r}"
        elif rules[name]["method"] == "lookup":
            yield where, "a lookup rule follows its source score; set the limit on the source"
        elif limit >= len(rules[name]["items"]):
            yield where, f"{limit} would allow every one of the rule's {len(rules[name]['items'])} items to be missing"
