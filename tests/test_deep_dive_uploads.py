"""A deep dive's transcript uploaded as .txt, .docx (built here with python-docx) or .odt (built with
odfpy): paragraphs kept; hostile files (a zip bomb, a .docx that is no zip, XML with a DTD, a wrong
suffix, undecodable text, control characters) refused with a message; the route's own size limit."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import docx
import pytest
from odf.opendocument import OpenDocumentText
from odf.text import H, LineBreak, P, S, Span

from survey.deepdives import uploads
from tests.deepdive_support import fields, post, stored
from tests.test_research_support import sign_in

TYPED = "Typed notes that the file replaces."
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>'
)


@pytest.fixture
def researcher(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    return client


def _upload(client: Any, data: bytes, name: str, **extra: Any) -> Any:
    return post(client, fields(transcript=TYPED, file=(data, name), **extra))


def _saved_text(app: Any, answer: Any) -> str:
    assert answer.status_code == 303, answer.get_data(as_text=True)[-4000:]
    row = stored(app, int(answer.headers["Location"].rsplit("/", 1)[1]))
    assert row is not None
    return row.transcript


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Interview with DOV-07", level=1)
    document.add_paragraph("The library is where I meet people.")
    document.add_paragraph("")  # an empty paragraph: no extra blank lines
    run_paragraph = document.add_paragraph("The seafront ")
    run_paragraph.add_run("walk").bold = True
    run_paragraph.add_run(" keeps me going.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "DOV-07"
    table.rows[0].cells[1].text = "Café on Tuesdays."
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _odt_bytes() -> bytes:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Interview with DOV-08"))
    first = P(text="The allotment")
    first.addElement(S(c=2))
    first.addText("is my")
    first.addElement(Span(text=" therapy."))
    document.text.addElement(first)
    second = P(text="Line one")
    second.addElement(LineBreak())
    second.addText("line two.")
    document.text.addElement(second)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_docx_upload_is_read_by_paragraph_and_wins_over_typed_text(app, researcher):
    answer = _upload(researcher, _docx_bytes(), "interview.docx")
    assert _saved_text(app, answer) == (
        "Interview with DOV-07\n\nThe library is where I meet people.\n\nThe seafront walk keeps me going."
        "\n\nDOV-07\tCafé on Tuesdays."
    )
    page = researcher.get(answer.headers["Location"]).get_data(as_text=True)
    assert "interview.docx" in page and TYPED not in page


def test_an_odt_upload_is_read_by_paragraph(app, researcher):
    answer = _upload(researcher, _odt_bytes(), "interview.ODT")
    assert _saved_text(app, answer) == "Interview with DOV-08\n\nThe allotment  is my therapy.\n\nLine one\nline two."


def test_text_files_in_utf8_with_a_bom_or_in_windows_1252(app, researcher):
    utf8 = _upload(researcher, "\ufeffFirst.\r\n\r\n\r\n\r\nSecond – fine.".encode(), "notes.txt")
    assert _saved_text(app, utf8) == "First.\n\nSecond – fine."
    legacy = _upload(researcher, "Caf\xe9 \x93quoted\x94".encode("latin-1"), "notes.txt", code="DOV-08")
    assert _saved_text(app, legacy) == "Café \u201cquoted\u201d"
    assert "read as Windows-1252" in researcher.get(legacy.headers["Location"]).get_data(as_text=True)


HOSTILE = {
    "zip bomb": ("bomb.docx", "unpacks to far more than a document"),
    "not a zip": ("fake.docx", "not a readable Word .docx document"),
    "docx with a DTD": ("laughs.docx", "XML declarations (a DTD)"),
    "odt with a DTD": ("laughs.odt", "XML declarations (a DTD)"),
    "odt without content": ("empty.odt", "it has no content.xml"),
    "odt nested too deeply": ("deep.odt", "nested too deeply"),
    "wrong suffix": ("notes.pdf", "Choose a .txt, .docx or .odt file"),
    "undecodable": ("notes.txt", "neither UTF-8 nor Windows-1252"),
    "NUL": ("nul.txt", "a NUL character (on line 2)"),
    "control character": ("bell.txt", "an invisible control character (on line 1)"),
    "no text": ("blank.txt", "The file holds no text"),
}


def _hostile(kind: str) -> bytes:
    if kind == "zip bomb":  # about 50 KB packed, 60 MB unpacked
        return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (60 * 1024 * 1024)})
    if kind == "docx with a DTD":
        return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": BILLION_LAUGHS})
    if kind == "odt with a DTD":
        return _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": BILLION_LAUGHS})
    if kind == "odt nested too deeply":
        nested = b"<text:span>" * 50_000 + b"deep" + b"</text:span>" * 50_000
        content = b'<office:document-content xmlns:office="%s" xmlns:text="%s"><office:body><text:p>%s</text:p>'
        namespaces = (
            b"urn:oasis:names:tc:opendocument:xmlns:office:1.0",
            b"urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        )
        return _zip({"content.xml": content % (*namespaces, nested) + b"</office:body></office:document-content>"})
    if kind == "odt without content":
        return _zip({"mimetype": b"application/vnd.oasis.opendocument.text"})
    return {
        "not a zip": b"PK\x03\x04 but not really a zip",
        "wrong suffix": b"%PDF-1.7",
        "undecodable": b"\x81\x8d\x8f\x90\x9d",
        "NUL": b"line one\nline\x00two",
        "control character": b"ring \x07 the bell",
        "no text": b" \r\n\r\n ",
    }[kind]


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_files_are_refused_with_a_message_keeping_the_other_fields(app, researcher, kind):
    name, message = HOSTILE[kind]
    answer = _upload(researcher, _hostile(kind), name, code="DOV-42")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422, page[-3000:]
    assert message in page
    assert 'value="DOV-42"' in page and f"{TYPED}</textarea>" in page


def test_typed_control_characters_are_refused_and_crlf_is_normalised(app, researcher):
    refused = post(researcher, fields(transcript="one\x0btwo"))
    assert refused.status_code == 422 and "invisible control character" in refused.get_data(as_text=True)
    assert _saved_text(app, post(researcher, fields(transcript="one\r\ntwo\r\n\r\nthree"))) == "one\ntwo\n\nthree"


def test_a_file_over_the_routes_limit_is_refused_before_reading(app, researcher, monkeypatch):
    app.config["DEEP_DIVE_UPLOAD_LIMIT"] = 1024
    monkeypatch.setattr(uploads, "extract_text", _never_called)
    over = _upload(researcher, b"x" * 2000, "notes.txt", code="DOV-43")
    page = over.get_data(as_text=True)
    assert over.status_code == 422 and "larger than 1 KB, the limit for transcripts" in page
    assert 'value="DOV-43"' in page  # the other fields are kept
    # A body far over the limit is refused unread: the form comes back empty, saying so.
    huge = _upload(researcher, b"x" * (100 * 1024), "notes.txt", code="DOV-44")
    page = huge.get_data(as_text=True)
    assert huge.status_code == 413 and "what you typed could not be kept" in page and "DOV-44" not in page


def _never_called(*_args: Any) -> None:
    raise AssertionError("a file over the limit was read")


def test_the_default_limit_is_two_megabytes_and_the_app_wide_limit_stays(app, researcher):
    assert app.config["DEEP_DIVE_UPLOAD_LIMIT"] == 2 * 1024 * 1024
    words = ("Words of a long interview. " * 40 + "\n\n") * 270  # about 290 KB: over the app's 256 KB
    answer = _upload(researcher, words.encode(), "long.txt")
    assert _saved_text(app, answer).startswith("Words of a long interview.")
    other = researcher.post("/research/communities/new", data={"name": "x" * 300_000})
    assert other.status_code == 413  # every other form keeps MAX_CONTENT_LENGTH


def test_only_the_files_base_name_is_kept_without_control_characters(app, researcher):
    answer = _upload(researcher, b"Words.", "../../home/me/inter\x00view\x07.txt")
    assert _saved_text(app, answer) == "Words."
    row = stored(app, int(answer.headers["Location"].rsplit("/", 1)[1]))
    assert row is not None and row.source_filename == "interview.txt"


def test_a_long_file_name_is_cut_keeping_its_suffix(app, researcher):
    # Cut to 255 characters, the name lost ".txt" and the file was refused as not a text file.
    answer = _upload(researcher, b"Words.", "n" * 300 + ".txt")
    assert _saved_text(app, answer) == "Words."
    row = stored(app, int(answer.headers["Location"].rsplit("/", 1)[1]))
    assert row is not None and row.source_filename == "n" * 251 + ".txt"
