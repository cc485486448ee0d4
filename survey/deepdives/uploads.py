"""A deep dive's notes or transcript uploaded as a file (.txt, .docx or .odt), read to plain text.

Paragraphs are kept, one blank line between them, because coding selects excerpts by paragraph.
Every file is untrusted: its size is checked before it is read (`DEEP_DIVE_UPLOAD_LIMIT`, in the
view), a .docx or .odt is a zip whose members' unpacked sizes are checked before any is read (a
zip bomb is refused, not inflated), and their XML may carry no DTD or entity declarations (Word
and LibreOffice never write one; an "entity expansion" file is refused with a message). Anything
unreadable raises `UnreadableUpload` with words for the person uploading, never a 500.

Decisions: .docx is read by python-docx (on lxml, which resolves no entities and reads no network);
.odt by reading its `content.xml` with defusedxml's ElementTree (DTDs forbidden) rather than
odfpy, which loads every member (pictures too) and is no longer maintained. Text is UTF-8 (a BOM
is fine); otherwise it is read as Windows-1252, the other encoding Windows editors save, and the
page says so.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from survey.web.uploads import CONTROL

SUFFIXES = (".txt", ".docx", ".odt")
# The longest transcript kept, typed or read from a file: about six hours of talk, far above a
# real interview, and small enough that the page, the edit form and re-anchoring stay quick.
TRANSCRIPT_MAX_CHARS = 300_000
# A .docx or .odt unpacked: at most this many bytes in all and this many members. A 2 MB document
# of text unpacks to well under 30 MB; a zip bomb declares far more, and is refused before reading.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 2_000
# Word and LibreOffice never write a DTD: a declaration is what an entity-expansion attack needs.
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")
_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class UnreadableUpload(Exception):
    """The file cannot be used as a transcript; the message says why, in words for the user."""


@dataclass(frozen=True)
class Extracted:
    """The text read from a file, and a notice for the page when something was guessed."""

    text: str
    notice: str = ""


def normalise(text: str) -> str:
    """Line ends as LF (a browser sends CRLF from a textarea), no trailing spaces at either end,
    at most one blank line between paragraphs: stored text must come back unchanged from the edit
    form, or every excerpt's offsets would move."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _BLANK_LINES.sub("\n\n", text).strip()


def text_problem(text: str) -> str | None:
    """Why `text` cannot be a transcript (control characters, too long), or None."""
    found = CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        what = "a NUL character" if found.group() == "\x00" else "an invisible control character"
        return (
            f"The text holds {what} (on line {line}), which a transcript cannot keep. "
            "Save it again as plain text, or copy and paste the words."
        )
    if len(text) > TRANSCRIPT_MAX_CHARS:
        return f"The text is longer than {TRANSCRIPT_MAX_CHARS:,} characters: split the interview into parts."
    return None


def suffix_of(filename: str) -> str:
    """The file's suffix in lower case ("" when it has none), from its base name only."""
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def extract_text(data: bytes, filename: str) -> Extracted:
    """The transcript in an uploaded file, by its suffix; raises `UnreadableUpload`."""
    suffix = suffix_of(filename)
    if suffix == ".txt":
        extracted = _read_txt(data)
    elif suffix == ".docx":
        extracted = Extracted(_read_docx(data))
    elif suffix == ".odt":
        extracted = Extracted(_read_odt(data))
    else:
        raise UnreadableUpload("Choose a .txt, .docx or .odt file (in Word: Save as, then Word Document).")
    text = normalise(extracted.text)
    problem = text_problem(text)
    if problem:
        raise UnreadableUpload(problem)
    if not text:
        raise UnreadableUpload("The file holds no text.")
    return Extracted(text, extracted.notice)


def _read_txt(data: bytes) -> Extracted:
    try:
        return Extracted(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableUpload(
            "The file is not text we can read (neither UTF-8 nor Windows-1252). Save it as UTF-8 text and try again."
        ) from None
    return Extracted(
        text,
        "The file was not UTF-8, so it was read as Windows-1252 (Western European): check accented letters "
        "and quotation marks.",
    )


def _open_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    """The document's zip, after checking what it declares: refused if it would unpack too far."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        raise UnreadableUpload(f"The file is not a readable {kind} document: open it and save it again.") from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS or sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        archive.close()
        raise UnreadableUpload(
            f"The {kind} file unpacks to far more than a document's text: it was refused. Save it again, or paste "
            "the words."
        )
    return archive


def _member(archive: zipfile.ZipFile, name: str, kind: str) -> bytes:
    """One XML member, read within its declared size, without a DTD."""
    try:
        content = archive.read(name)
    except KeyError:
        raise UnreadableUpload(f"The file is not a {kind} document (it has no {name}).") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
        # A bad CRC or a false size, damaged data, an unknown compression method, a password.
        raise UnreadableUpload(f"The {kind} file is damaged: open it and save it again.") from None
    if _DECLARATION.search(content):
        raise UnreadableUpload(
            f"The {kind} file holds XML declarations (a DTD) that word processors never write, so it was refused."
        )
    return content


def _read_docx(data: bytes) -> str:
    import docx  # python-docx loads for .docx uploads only
    from docx.oxml.table import CT_Tbl

    with _open_zip(data, "Word .docx") as archive:
        # Every XML part python-docx parses is checked first: the main document and its parts.
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                _member(archive, name, "Word .docx")
        if "word/document.xml" not in archive.namelist():
            raise UnreadableUpload("The file is not a Word .docx document (it has no word/document.xml).")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many types for a damaged package: KeyError, ValueError, XMLSyntaxError
        raise UnreadableUpload("The Word .docx file is damaged: open it and save it again.") from None
    paragraphs: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block._element, CT_Tbl):
            # A table's row as one paragraph, its cells separated by tabs (speaker, words).
            paragraphs += ["\t".join(cell.text for cell in row.cells) for row in block.rows]  # type: ignore[union-attr]
        else:
            paragraphs.append(block.text)  # type: ignore[union-attr]
    return "\n\n".join(text.strip() for text in paragraphs if text.strip())


def _read_odt(data: bytes) -> str:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    with _open_zip(data, "OpenDocument .odt") as archive:
        content = _member(archive, "content.xml", "OpenDocument .odt")
    try:
        root = fromstring(content, forbid_dtd=True)
    except (ParseError, DefusedXmlException):
        raise UnreadableUpload("The OpenDocument .odt file is damaged: open it and save it again.") from None
    body = root.find(f"{{{_ODF_OFFICE}}}body")
    try:
        paragraphs = [text.strip() for text in _odf_paragraphs(body if body is not None else root)]
    except RecursionError:  # elements nested thousands deep: no word processor writes that
        raise UnreadableUpload("The OpenDocument .odt file is nested too deeply to be a document.") from None
    return "\n\n".join(text for text in paragraphs if text)


def _odf_paragraphs(element: Element) -> Iterator[str]:
    """Each paragraph and heading's text, in document order (lists, tables and sections included)."""
    for child in element:
        if child.tag in (f"{{{_ODF_TEXT}}}p", f"{{{_ODF_TEXT}}}h"):
            yield "".join(_odf_text(child))
        else:
            yield from _odf_paragraphs(child)


def _odf_text(element: Element) -> Iterator[str]:
    """A paragraph's characters: spans and links followed, <text:s c="3"/> as three spaces, tabs and
    line breaks kept, footnotes and comments left out (they are not the interview's words)."""
    yield element.text or ""
    for child in element:
        tag = child.tag
        if tag == f"{{{_ODF_TEXT}}}s":
            yield " " * _count(child.get(f"{{{_ODF_TEXT}}}c"))
        elif tag == f"{{{_ODF_TEXT}}}tab":
            yield "\t"
        elif tag == f"{{{_ODF_TEXT}}}line-break":
            yield "\n"
        elif tag not in (f"{{{_ODF_TEXT}}}note", f"{{{_ODF_OFFICE}}}annotation"):
            yield from _odf_text(child)
        yield child.tail or ""


def _count(value: Any) -> int:
    """The number of spaces a <text:s> stands for: its c attribute, 1 by default, bounded."""
    return min(int(value[:4]), 1000) if isinstance(value, str) and value.isdecimal() else 1
