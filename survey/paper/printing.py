"""The printed questionnaire: one layout for the batch PDF (WeasyPrint) and the browser print view.

Speed: every copy of a batch is the same questionnaire except for its serial number, and
WeasyPrint spends about 0.3 s laying out and 0.1 s drawing each page of it (a 50-form batch
took a minute rendered naively). So a batch is rendered as two documents: the questionnaire
once (with an empty slot where the serial goes), and a "stamp" page per printed page that holds
only the serial, at the slot's position and in the page header. Each PDF page draws the
questionnaire page as a PDF form XObject, drawn once and reused by every copy, then its stamp.
This uses WeasyPrint's `Page.paint` and its PDF stream's `add_group` / `draw_x_object`, as
WeasyPrint itself does for transparency groups (checked against WeasyPrint 70; the tests
render real batches, so a change there fails them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app, render_template

from instruments import Item, Option
from survey.campaigns.operations import campaign_sections
from survey.models import Campaign, PaperBatch

PRINT_STYLESHEET = "paper_print.css"
# WEMWBS on paper says "tick the box" where the screen says "select the option"; the rest of
# the wording is the licensed text, unchanged.
PAPER_WORDING = (("select the option", "tick the box"),)


@dataclass(frozen=True)
class PrintedItem:
    number: int  # numbered through the whole form, so the entry screen can use the same numbers
    item: Item


@dataclass(frozen=True)
class PrintedSection:
    title: str
    stem: str
    items: tuple[PrintedItem, ...]
    grid_options: tuple[Option, ...] | None  # shared options: printed as one grid with a header row
    notice: str | None  # licence notice, printed under the scale


def _paper_wording(text: str) -> str:
    for screen, paper in PAPER_WORDING:
        text = text.replace(screen, paper)
    return text


def form_sections(campaign: Campaign) -> list[PrintedSection]:
    """The campaign's questionnaire laid out for paper (and for the entry screen that mirrors it)."""
    printed = []
    number = 0
    for section in campaign_sections(campaign):
        items = []
        for item in section.items:
            number += 1
            items.append(PrintedItem(number, item))
        first = section.items[0].options if section.items else ()
        shared = len(section.items) > 1 and all(i.type == "choice" and i.options == first for i in section.items)
        printed.append(
            PrintedSection(
                title=section.title,
                stem=_paper_wording(section.stem),
                items=tuple(items),
                grid_options=first if shared else None,
                notice=section.licence.notice,
            )
        )
    return printed


def _stylesheet_path() -> Path:
    return Path(current_app.static_folder or "static") / PRINT_STYLESHEET


class _StampedPage:
    """A questionnaire page drawn as a shared form XObject, with one copy's serial stamped over it."""

    def __init__(self, page: Any, stamp: Any, drawn: dict[int, str]) -> None:
        self.width, self.height, self.bleed = page.width, page.height, page.bleed
        self.bookmarks: list[Any] = []
        self.links: list[Any] = []
        self.anchors: dict[str, Any] = {}
        self.forms: dict[Any, list[Any]] = {None: []}
        self._page, self._stamp, self._drawn = page, stamp, drawn

    def paint(self, stream: Any, scale: float = 1) -> None:
        name = self._drawn.get(id(self._page))
        if name is None:
            # Resources are shared by every page of a WeasyPrint PDF, so the XObject drawn for
            # the first copy is reachable by name from all the others.
            x, y, width, height = stream.page_rectangle
            group = stream.add_group(x * scale, y * scale, width * scale, height * scale)
            self._page.paint(group, scale)
            name = self._drawn[id(self._page)] = group.id
        stream.draw_x_object(name)
        self._stamp.paint(stream, scale)


def batch_pdf(batch: PaperBatch, progress: Callable[[str, float], None] | None = None) -> bytes:
    """Render a batch to PDF; called once, when the batch is issued. `progress(step, fraction)` hears
    how far it has got (the background job shows it on the batch's page)."""
    # Imported here, as in survey/datasets/profile_packs.py: WeasyPrint takes a third of a second to
    # load, which every web process would pay at start for PDFs only the job worker makes.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    report = progress or (lambda _step, _fraction: None)
    started = time.perf_counter()
    report("laying out the questionnaire", 0.1)
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(_stylesheet_path()), font_config=fonts)
    base_url = str(_stylesheet_path().parent)
    serials = [form.serial for form in batch.forms]
    body_html = render_template(
        "paper/print_batch.html", campaign=batch.campaign, sections=form_sections(batch.campaign), serials=serials
    )
    body = HTML(string=body_html, base_url=base_url).render(stylesheets=[stylesheet], font_config=fonts)
    per_copy = len(body.pages)
    report(f"numbering {len(serials)} copies", 0.4)
    stamps_html = render_template("paper/print_stamps.html", serials=serials, pages_per_copy=per_copy)
    stamps = HTML(string=stamps_html, base_url=base_url).render(stylesheets=[stylesheet], font_config=fonts)
    if len(stamps.pages) != per_copy * len(serials):
        raise RuntimeError(f"serial stamps came to {len(stamps.pages)} pages, expected {per_copy * len(serials)}")
    drawn: dict[int, str] = {}
    pages = [
        _StampedPage(body.pages[page], stamps.pages[copy * per_copy + page], drawn)
        for copy in range(len(serials))
        for page in range(per_copy)
    ]
    report(f"writing {len(pages)} pages", 0.7)
    pdf: bytes = body.copy(pages).write_pdf()
    current_app.logger.info(
        "rendered paper batch %s: %d forms, %d pages, in %.2f s",
        batch.id,
        len(serials),
        len(pages),
        time.perf_counter() - started,
    )
    return pdf
