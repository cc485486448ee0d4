"""Deep-dive quotes in the printed profile pack and the report, on the demo's data (two synthetic, coded
interviews in Dover Town) plus one interview whose participant refused quotation: counts against an
independent recount, quotes only with consent, never a name, and an erased interview gone at once."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from survey.datasets.profile_packs import PACK_QUOTES, render_pack
from survey.datasets.report_build import report_from_database
from survey.datasets.snapshots import current_snapshot
from survey.deepdives.quotes import Counts
from survey.extensions import db
from survey.models import Asset, Community, DeepDive
from tests.quote_support import Said, add_deep_dive, erase, name_interviewers, recount
from tests.test_asset_profiles import COMMUNITY, researcher  # noqa: F401  # the fixture

PRIVATE = "Please keep this between us: the library is the only warm room I can go to."


def _refused(app) -> None:
    add_deep_dive(
        app,
        COMMUNITY,
        "DOV-05",
        date(2026, 1, 2),
        [Said(PRIVATE, assets=("dover_library",))],
        quotation=False,
        interviewer="r@example.org",
    )


def _assets(app) -> dict[str, str]:
    """Dover Town's assets, name -> slug."""
    with app.app_context():
        return dict(
            db.session.execute(select(Asset.name, Asset.slug).join(Community).where(Community.slug == COMMUNITY)).all()
        )


def _pages(document: str) -> dict[str, str]:
    """Each asset page of a pack, by the asset's name."""
    pages = {}
    for page in document.split('<section class="asset-page">')[1:]:
        name = re.search(r'<h1 class="asset-title">(.*?)</h1>', page)
        assert name is not None
        pages[unescape(name.group(1))] = unescape(page)
    return pages


def _check_pack(app, document: str) -> int:
    """Every asset page's deep-dive counts and quotes against the recount; returns how many quotes it holds."""
    names = _assets(app)
    quoted = 0
    for name, page in _pages(document).items():
        expected = recount(app, names[name])
        assert "What people said in deep-dive interviews" in page
        # The numbers are recounted here; only the wording is the app's.
        assert Counts(expected.excerpts, expected.interviews, expected.quotable).sentence in page
        shown = re.findall(r'<figure class="deep-dive-quote">.*?“(.*?)”', page, flags=re.S)
        assert shown == [text for _, text in expected.quotes[:PACK_QUOTES]]
        assert not [text for text in expected.unquotable if text in page]
        quoted += len(shown)
    return quoted


@pytest.mark.slow
def test_the_pack_quotes_only_with_consent_and_forgets_an_erased_interview(
    app,
    runner,
    researcher,  # noqa: F811
    tmp_path: Path,
):
    _refused(app)
    people = name_interviewers(app)
    result = runner.invoke(args=["profiles", "--community", COMMUNITY, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    document = (tmp_path / "profiles.html").read_text(encoding="utf-8")
    assert _check_pack(app, document) >= 3  # the demo's two interviews quote several assets
    assert PRIVATE not in unescape(document) and "DOV-05" not in document
    assert "Synthetic" in document  # the demo's interviews are made up, and say so
    assert "they are not evidence of an effect" in document
    assert not [person for person in people if person in unescape(document)]

    with app.app_context():
        first = db.session.scalars(select(DeepDive).filter_by(participant_code="DOV-01")).one()
        words = [excerpt.text for excerpt in first.excerpts]
    erase(app, first.id)
    with app.app_context():
        community = db.session.scalars(select(Community).filter_by(slug=COMMUNITY)).one()
        snapshot = current_snapshot(community)
        assert snapshot is not None
        again = render_pack(community, snapshot)  # the same stored figures: only the quotes are live
    assert "DOV-01" not in again and not [text for text in words if text in unescape(again)]
    _check_pack(app, again)


@pytest.mark.slow
def test_the_report_says_what_people_said_counted_from_the_database(app, researcher, tmp_path):  # noqa: F811
    _refused(app)
    people = name_interviewers(app)
    with app.app_context():
        paths = report_from_database(db.engine, tmp_path, communities=[COMMUNITY])
    counts = pd.read_csv(paths["deep_dive_counts"])
    assert list(counts.columns) == ["community", "asset", "excerpts", "interviews", "quotable"]
    names = _assets(app)
    expected = {slug: recount(app, slug) for slug in names.values()}
    coded = {slug: found for slug, found in expected.items() if found.excerpts}
    assert sorted(counts["asset"]) == sorted(coded) and len(coded) >= 4
    for row in counts.itertuples(index=False):
        found = coded[row.asset]
        assert (row.community, row.excerpts, row.interviews, row.quotable) == (
            COMMUNITY,
            found.excerpts,
            found.interviews,
            found.quotable,
        )
    csv_text = paths["deep_dive_counts"].read_text(encoding="utf-8")
    assert not [text for found in coded.values() for _, text in found.quotes if text[:30] in csv_text]

    document = unescape(paths["report"].read_text(encoding="utf-8"))
    section = document.split("<h2 id='deep-dives'>What people said</h2>", 1)[1].split("<h2", 1)[0]
    for name, slug in names.items():
        if slug not in coded:
            assert f"<h3>{name} (" not in section
            continue
        part = section.split(f"<h3>{name} (", 1)[1].split("<h3>", 1)[0]
        shown = re.findall(r"<blockquote><p>“(.*?)”</p></blockquote>", part, flags=re.S)
        assert shown == [text for _, text in coded[slug].quotes[:2]]
    assert PRIVATE not in document and "DOV-05" not in document
    assert "not evidence that an asset has an effect" in section and "chosen by consent and by order" in section
    assert not [person for person in people if person in document]
