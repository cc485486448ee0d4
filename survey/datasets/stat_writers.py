"""SPSS (.sav) and Stata (.dta) files with missing-data codes, labelled categories and fitting formats.

Both are written by pyreadstat. SPSS: the codes -1 ... -5 are declared user-missing (one range)
and labelled. Stata: ReadStat names each value-label set after its variable plus a counter and
refuses names past 32 characters, and pyreadstat takes a column whose first 100 values are letters
(.a ...) for text; so the file is written with short placeholder names (``v1_``) and the codes as
numbers, then finished in place (`rename_dta_variables`): the names go into the file's fixed-width
name fields (format 118, Stata 14 and later: 129 bytes a name, found through the file's own map of
offsets), each label set takes its variable's name, as Stata users name them, and the codes become
the extended missing values .a ... .e, whose labels pyreadstat wrote.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.columns import MISSING_REASON_CODES, MISSING_REASON_LABELS, STATA_MISSING, missing_code_labels
from survey.datasets.sources import ExportError

DTA_VERSION = 14  # pyreadstat's name for format 118: read by Stata 14 and later (Unicode)
NAME_FIELD = 129  # bytes of a name in a format 118 file
# Format 118 variable types and their widths in bytes (a type of 1-2045 is strN: N bytes; strL: 8).
DTA_DOUBLE = 65526
DTA_WIDTHS = {65526: 8, 65527: 4, 65528: 4, 65529: 2, 65530: 1, 32768: 8}
STATA_DOUBLE_MISSING = 0x7FE0000000000000  # "." as a double's bits; .a adds 1 << 40, .b 2 << 40 ...
STATA_LABEL_MAX = 80
# Bytes of UTF-8 a .sav variable label keeps: ReadStat cuts a longer one there, silently and mid-word
# (an asset name of 55 characters, which the use question's label holds twice, passed it).
SPSS_LABEL_MAX_BYTES = 255
LETTER_OF_CODE = {MISSING_REASON_CODES[reason]: letter for reason, letter in STATA_MISSING.items()}
# SPSS takes at most three discrete missing values, or one range: -5 to -1.
MISSING_LOW, MISSING_HIGH = min(MISSING_REASON_CODES.values()), max(MISSING_REASON_CODES.values())


def write_sav(
    path: Path,
    data: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    value_labels: Mapping[str, Mapping[float, str]],
    coded_items: list[str],
    measures: Mapping[str, str],
    widths: Mapping[str, int],
) -> None:
    """A .sav: the items' codes -1 ... -5 declared user-missing (one range) and labelled."""
    import pyreadstat
    from pyreadstat.pyclasses import MissingRange

    chosen: dict[str, dict[Any, str]] = {column: dict(codes) for column, codes in value_labels.items()}
    for column in coded_items:
        chosen[column] = {**chosen.get(column, {}), **missing_code_labels()}
    pyreadstat.write_sav(
        data,
        str(path),
        column_labels={column: spss_label(str(labels.get(column, ""))) for column in data.columns},
        variable_value_labels=chosen,
        missing_ranges={column: [MissingRange(lo=MISSING_LOW, hi=MISSING_HIGH)] for column in coded_items},
        variable_measure=dict(measures),  # type: ignore[arg-type]
        variable_format={column: f"F{width}.0" for column, width in widths.items()},
    )


def write_dta(
    path: Path,
    data: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    value_labels: Mapping[str, Mapping[float, str]],
    coded_items: list[str],
    widths: Mapping[str, int],
) -> None:
    """A .dta: the items' codes as extended missing values .a ... .e, labelled; strings blank for missing."""
    import pyreadstat

    out = data.copy()
    for column in out.columns:
        if out[column].dtype == object:  # Stata's only missing string is ""
            out[column] = out[column].where(out[column].notna(), "")
    missing_labels = {LETTER_OF_CODE[code]: label for code, label in missing_code_labels().items()}
    names = list(out.columns)
    placeholders = {name: f"v{number}_" for number, name in enumerate(names, start=1)}
    chosen: dict[str, dict[Any, str]] = {column: dict(codes) for column, codes in value_labels.items()}
    for column in coded_items:
        chosen[column] = {**chosen.get(column, {}), **missing_labels}
    pyreadstat.write_dta(
        out.rename(columns=placeholders),
        str(path),
        version=DTA_VERSION,
        column_labels={placeholders[c]: stata_label(str(labels.get(c, ""))) for c in names},
        variable_value_labels={placeholders[c]: codes for c, codes in chosen.items()},
        missing_user_values={placeholders[c]: list(missing_labels) for c in coded_items},  # type: ignore[dict-item]
        variable_format={placeholders[c]: f"%{width}.0f" for c, width in widths.items()},
    )
    rename_dta_variables(path, names, [names.index(column) for column in coded_items])


def spss_label(label: str) -> str:
    """A variable label cut to what a .sav keeps, at a character, ending in "..." when cut (the
    codebook keeps the whole label), as `stata_label` does."""
    if len(label.encode()) <= SPSS_LABEL_MAX_BYTES:
        return label
    return label.encode()[: SPSS_LABEL_MAX_BYTES - 3].decode(errors="ignore").rstrip() + "..."


def stata_label(label: str) -> str:
    """A variable label cut to Stata's 80 characters, ending in "..." when cut (the .do file keeps the rest)."""
    return label if len(label) <= STATA_LABEL_MAX else label[: STATA_LABEL_MAX - 3].rstrip() + "..."


def rename_dta_variables(path: Path, names: list[str], coded: list[int]) -> None:
    """Set the variable names of a format 118 file, name each value-label set after its variable, and
    turn the missing-data codes (-1 ... -5) of the `coded` variables (positions) into .a ... .e."""
    raw = bytearray(path.read_bytes())
    if not raw.startswith(b"<stata_dta><header><release>118</release>"):
        raise ExportError("the Stata writer did not write format 118")
    order = "<" if raw[52:55] == b"LSF" else ">"  # after <byteorder>, 52 bytes in
    start = raw.index(b"<map>") + len(b"<map>")
    offsets = struct.unpack(order + "14Q", bytes(raw[start : start + 14 * 8]))
    at = _section(raw, offsets[3], b"<varnames>")
    for number, name in enumerate(names):
        raw[at + number * NAME_FIELD : at + (number + 1) * NAME_FIELD] = _field(name)
    at = _section(raw, offsets[6], b"<value_label_names>")
    sets: dict[bytes, str] = {}
    for number, name in enumerate(names):
        field = slice(at + number * NAME_FIELD, at + (number + 1) * NAME_FIELD)
        old = bytes(raw[field]).split(b"\0")[0]
        if old:
            sets[old] = name
            raw[field] = _field(name)
    at = _section(raw, offsets[11], b"<value_labels>")
    while raw[at : at + 5] == b"<lbl>":
        (length,) = struct.unpack(order + "I", bytes(raw[at + 5 : at + 9]))
        field = slice(at + 9, at + 9 + NAME_FIELD)
        raw[field] = _field(sets[bytes(raw[field]).split(b"\0")[0]])
        at += 9 + NAME_FIELD + 3 + length + len(b"</lbl>")
    _extended_missing(raw, order, offsets, len(names), coded)
    path.write_bytes(bytes(raw))


def _extended_missing(raw: bytearray, order: str, offsets: tuple[int, ...], count: int, coded: list[int]) -> None:
    """Rewrite the codes -1 ... -5 of the `coded` double variables as Stata's .a ... .e, in place.

    pyreadstat writes a letter only into a column of text and numbers, and decides a column is text
    when its first 100 answers are all letters (narwhals' sniffing); so the codes go in as numbers
    and become extended missing values here. A double's .a is 0x7fe0010000000000, .b 0x7fe0020000000000 ...
    (Stata's dta format documentation, "missing values").
    """
    types_at = _section(raw, offsets[2], b"<variable_types>")
    types = struct.unpack(order + f"{count}H", bytes(raw[types_at : types_at + 2 * count]))
    widths = [DTA_WIDTHS.get(kind, kind) for kind in types]  # 1-2045: strN, N bytes
    rows_at = raw.index(b"<N>") + len(b"<N>")
    (rows,) = struct.unpack(order + "Q", bytes(raw[rows_at : rows_at + 8]))
    data_at = _section(raw, offsets[9], b"<data>")
    record = sum(widths)
    table = np.frombuffer(raw, dtype=np.uint8, count=rows * record, offset=data_at).reshape(rows, record)
    for position in coded:
        if types[position] != DTA_DOUBLE:
            raise ExportError(f"variable {position + 1} of the Stata file is not a double")
        start = sum(widths[:position])
        values = table[:, start : start + 8].copy().view(order + "f8").ravel()
        bits = values.view(order + "u8").copy()
        for code, letter in LETTER_OF_CODE.items():
            bits[values == code] = STATA_DOUBLE_MISSING + ((ord(letter) - ord("a") + 1) << 40)
        table[:, start : start + 8] = bits.view(np.uint8).reshape(rows, 8)


def _section(raw: bytearray, offset: int, tag: bytes) -> int:
    if raw[offset : offset + len(tag)] != tag:
        raise ExportError(f"unexpected Stata file layout at {tag.decode()}")
    return offset + len(tag)


def _field(name: str) -> bytes:
    encoded = name.encode("utf-8")
    return encoded + b"\0" * (NAME_FIELD - len(encoded))


def do_file(files: Mapping[str, pd.DataFrame]) -> str:
    """A Stata do-file adding each variable's full label and question stem as notes (labels stop at 80).

    `files`: {dta file name: its codebook rows (``stata_name``, ``label``, ``stem``)}.
    """
    codes = "; ".join(f".{STATA_MISSING[reason]} = {label}" for reason, label in MISSING_REASON_LABELS.items())
    lines = [
        "* Adds the full question wording as Stata notes: variable labels stop at 80 characters.",
        "* Run it once in the folder of the unzipped export: do notes.do",
        f"* Missing-data codes: {codes}",
        "version 14",
    ]
    for name, rows in files.items():
        lines += [f'use "{name}", clear', "notes drop _all"]
        lines.append(f"notes _dta: {_safe('Missing-data codes: ' + codes)}")
        for variable, label, stem in rows.loc[:, ["stata_name", "label", "stem"]].itertuples(index=False):
            if len(str(label)) > STATA_LABEL_MAX:
                lines.append(f"notes {variable}: {_safe(str(label))}")
            if str(stem):
                lines.append(f"notes {variable}: Question stem: {_safe(str(stem))}")
        lines += [f'save "{name}", replace', ""]
    return "\n".join(lines)


# Stata reads /* ... */ anywhere as a comment (spanning lines: an unclosed one in an asset's name hid
# every later line, the `save` included), and // or /// after a blank as a comment or a line join.
_COMMENTS = re.compile(r"/(?=\*)|\*(?=/)|(?:^|(?<=\s))/(?=/)")


def _safe(text: str) -> str:
    """One line of note text that Stata will not read as a macro (`$name`, a backtick) or a comment
    (`/*`, `*/`, ` //`: a space goes between the two characters)."""
    line = " ".join(text.split()).replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
    while _COMMENTS.search(line):  # again: "a /// b" gives "a / // b", whose // now follows a blank
        line = _COMMENTS.sub(lambda match: match.group() + " ", line)
    return line
