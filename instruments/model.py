"""Frozen dataclasses describing an instrument: items, options, scoring rules, licence."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from instruments import answers
from instruments.frozenmap import FrozenMap

ItemType = Literal["choice", "integer", "text"]
ScoringMethod = Literal["sum", "mean", "lookup"]


@dataclass(frozen=True, slots=True)
class Option:
    """One response option: the stored code and the label shown to respondents."""

    code: int
    label: str


@dataclass(frozen=True, slots=True)
class Licence:
    """Licence facts: the notice to print (or None), whether registration is needed, short terms."""

    notice: str | None
    registration_required: bool
    terms: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingPolicy:
    """Missing-data rule for scoring; `prorate_max_missing` is used only by the non-standard prorate rule."""

    rule: str
    note: str
    prorate_max_missing: FrozenMap[str, int] = field(default_factory=FrozenMap)


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One question; `options` is always filled for choice items and empty for the others."""

    key: str
    text: str
    type: ItemType
    options: tuple[Option, ...] = ()
    required: bool = False
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    # A forced-choice yes/no question asked before this one ("Do you go to Swanley Park?"). "No"
    # records the first option's code (0, "Never") and the item itself is then not asked; "Yes" asks
    # it without that first option. Paper forms may still print the full item as a grid.
    screener: str | None = None
    # Offer "Prefer not to say": the choice is stored as a missing reason ("declined"), never a code.
    prefer_not_to_say: bool = False

    @property
    def codes(self) -> tuple[int, ...]:
        """The allowed codes of a choice item, in display order."""
        return tuple(option.code for option in self.options)

    @property
    def scale_anchors(self) -> tuple[Option, Option] | None:
        """The two labelled end points of a numeric rating scale, or None if the item is not one.

        A rating scale (the ONS 0-10 questions) is a choice item of at least 7 codes in steps of
        one where only the end points carry words and every other option is labelled with its
        own number. Screens and paper show it as a row of numbers with the words at the ends.
        """
        options = self.options
        if self.type != "choice" or len(options) < 7:
            return None
        first = options[0].code
        if any(option.code != first + offset for offset, option in enumerate(options)):
            return None
        if any(option.label != str(option.code) for option in options[1:-1]):
            return None
        return options[0], options[-1]

    def label_for(self, code: int) -> str:
        """Return the label of `code`; KeyError if the item has no such option."""
        for option in self.options:
            if option.code == code:
                return option.label
        raise KeyError(f"item {self.key!r} has no option with code {code!r}")

    def check(self, value: object) -> str | None:
        """Return an error message for one answer, or None if it is acceptable (missing is acceptable)."""
        if answers.is_missing(value):
            return None
        shown = str(value)
        if self.type == "text":
            if not isinstance(value, str):
                return f"{answers.quoted(shown)} is not text"
            if self.max_length is not None and len(value) > self.max_length:
                return f"answer is longer than {self.max_length} characters"
            if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
                return self.pattern_message or f"{answers.quoted(shown)} is not in the expected format"
            return None
        number = answers.whole_number(value)
        if self.type == "choice":
            if number is None or number not in self.codes:
                return answers.not_allowed_code(shown, self.codes)
            return None
        if number is None:
            return answers.not_whole_number(shown)
        if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
            return answers.out_of_range(shown, self.min, self.max)
        return None

    def allowed_mask(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """True where `values` (from `answers.numeric_values`) is an allowed answer to this choice or integer item."""
        if self.type == "choice":
            allowed: npt.NDArray[np.bool_] = np.isin(values, np.asarray(self.codes, dtype="float64"))
            return allowed
        low = -np.inf if self.min is None else self.min
        high = np.inf if self.max is None else self.max
        in_range: npt.NDArray[np.bool_] = (values == np.floor(values)) & (values >= low) & (values <= high)
        return in_range

    def is_valid_code(self, value: object) -> bool:
        """Return True if `value` is an allowed answer (missing counts as allowed)."""
        return self.check(value) is None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form; every key is always present (None where not applicable),
        except `screener` and `prefer_not_to_say`, written only when set so that the content hashes
        of definitions written before they existed stay as they were."""
        extra: dict[str, Any] = {}
        if self.screener is not None:
            extra["screener"] = self.screener
        if self.prefer_not_to_say:
            extra["prefer_not_to_say"] = True
        return {
            "key": self.key,
            "text": self.text,
            "type": self.type,
            "options": ([{"code": o.code, "label": o.label} for o in self.options] if self.type == "choice" else None),
            "required": self.required,
            "min": self.min,
            "max": self.max,
            "max_length": self.max_length,
            "pattern": self.pattern,
            "pattern_message": self.pattern_message,
            **extra,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringRule:
    """How one score column is computed: sum or mean of items, or a lookup from another score."""

    name: str
    method: ScoringMethod
    items: tuple[str, ...] = ()
    source: str | None = None
    table: FrozenMap[int, float] | None = None
    decimals: int | None = None
    range: tuple[float, float] = (0, 0)
    label: str = ""
    reference: str | None = None  # citation of a published table or method, for codebooks

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form; table keys become strings because JSON keys must be."""
        return {
            "name": self.name,
            "method": self.method,
            "items": list(self.items) if self.method != "lookup" else None,
            "source": self.source,
            "table": {str(raw): value for raw, value in self.table.items()} if self.table is not None else None,
            "decimals": self.decimals,
            "range": list(self.range),
            "label": self.label,
            "reference": self.reference,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument:
    """A questionnaire as data; `item_templates` is non-empty only for template instruments (asset use)."""

    key: str
    version: int
    title: str
    stem: str
    source: str
    licence: Licence
    project_own: bool
    estimated_seconds_per_item: int
    missing: MissingPolicy
    items: tuple[Item, ...]
    scoring: tuple[ScoringRule, ...] = ()
    item_templates: tuple[Item, ...] = ()

    @property
    def item_keys(self) -> tuple[str, ...]:
        """Item keys (= data column names) in display order."""
        return tuple(item.key for item in self.items)

    @property
    def score_names(self) -> tuple[str, ...]:
        """Score column names in rule order."""
        return tuple(rule.name for rule in self.scoring)

    def item(self, key: str) -> Item:
        """Return the item with this key; KeyError if there is none."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(f"instrument {self.key!r} has no item {key!r}")

    def rule(self, name: str) -> ScoringRule:
        """Return the scoring rule with this name; KeyError if there is none."""
        for rule in self.scoring:
            if rule.name == name:
                return rule
        raise KeyError(f"instrument {self.key!r} has no scoring rule {name!r}")

    def rule_items(self, rule: ScoringRule) -> tuple[str, ...]:
        """Item columns a rule needs, following lookups back to the rule they read from."""
        while rule.method == "lookup":
            rule = self.rule(rule.source or "")
        return rule.items

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict; `instrument_from_dict(inst.to_dict()) == inst`."""
        return {
            "key": self.key,
            "version": self.version,
            "title": self.title,
            "stem": self.stem,
            "source": self.source,
            "licence": {
                "notice": self.licence.notice,
                "registration_required": self.licence.registration_required,
                "terms": self.licence.terms,
            },
            "project_own": self.project_own,
            "estimated_seconds_per_item": self.estimated_seconds_per_item,
            "missing": {
                "rule": self.missing.rule,
                "note": self.missing.note,
                "prorate_max_missing": dict(self.missing.prorate_max_missing),
            },
            "items": [item.to_dict() for item in self.items],
            "scoring": [rule.to_dict() for rule in self.scoring],
            "item_templates": [item.to_dict() for item in self.item_templates],
        }

    def content_hash(self) -> str:
        """SHA-256 hex digest of the canonical JSON of `to_dict()` (sorted keys, no spaces, UTF-8)."""
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
