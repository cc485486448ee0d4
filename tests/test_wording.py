"""Words the service uses the same way on every page (GOV.UK style: "email", never "e-mail")."""

from __future__ import annotations

import re
from pathlib import Path

SURVEY = Path(__file__).resolve().parent.parent / "survey"


def _user_facing_text() -> dict[str, str]:
    """Every template, and every string literal of the package's Python (messages come from there)."""
    texts = {str(path): path.read_text(encoding="utf-8") for path in SURVEY.rglob("*.html")}
    for path in SURVEY.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        # Comments are not shown to anyone: leave them out.
        texts[str(path)] = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
    return texts


def test_email_is_spelt_one_way() -> None:
    # The deep-dive form said "never a name or e-mail" beside pages that all say "email".
    found = [name for name, text in _user_facing_text().items() if re.search(r"\be-mail\b", text, re.IGNORECASE)]
    assert found == []


def test_staff_pages_count_in_words_not_with_brackets() -> None:
    # The paper pages said "1 item(s) differ", "4 item(s) need correcting", "Resolved 1 discrepancy(ies)".
    pages = {str(path): path.read_text(encoding="utf-8") for path in SURVEY.rglob("*.html")}
    pages["entry.py"] = (SURVEY / "paper" / "entry.py").read_text(encoding="utf-8")
    found = {name: re.findall(r"\w+\((?:s|es|ies)\)", text) for name, text in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}
