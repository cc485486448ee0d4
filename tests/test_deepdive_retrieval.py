"""Retrieval of coded excerpts (issue 15, Must show 2) and their download for qualitative tools (Must show
4): every excerpt for a code with its context, counts that match a recount, the excerpts CSV with
sharing consent only and formula-guarded cells, the zip and the command, each logged."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from survey.deepdives.retrieval import CONTEXT_CHARS, ExcerptFilter, community_counts, context, find_excerpts
from survey.extensions import db
from survey.models import Asset, Campaign, Community, DataAccess, DeepDive, Excerpt
from tests.coding_support import TRANSCRIPT, add_deep_dive, add_excerpt, add_theme, community

RESEARCHER = "reader@example.org"


@pytest.fixture
def coded(app, make_campaign):
    """Dover Town: DOV-01 (sharing) and DOV-02 (no sharing) coded; Sheppey: one deep dive coded."""
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_pier",))
    with app.app_context():
        dover, sheppey = community("dover-town"), community("sheppey")
        campaign = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        isolation = add_theme(campaign, "isolation", "Isolation")
        sheppey_isolation = add_theme(
            db.session.scalars(select(Campaign).filter_by(slug="sheppey")).one(), "isolation", "Isolation"
        )
        library, seafront, pier = (
            db.session.scalars(select(Asset).filter_by(slug=slug)).one()
            for slug in ("dover_library", "dover_seafront", "sheppey_pier")
        )
        first = add_deep_dive(dover, "DOV-01", campaign=campaign, held_on=date(2026, 3, 2), recording=True)
        add_excerpt(first, "The library is where I see people.", sixways=("connect",), assets=(library,))
        add_excerpt(first, "I go every Tuesday.", sixways=("connect",), themes=(isolation,))
        add_excerpt(first, "=SUM(1+1) is what my grandson typed.", assets=(library,))
        second = add_deep_dive(
            dover, "DOV-02", "The seafront walks. Nobody calls.", campaign=campaign, sharing=False, synthetic=True
        )
        add_excerpt(second, "The seafront walks.", sixways=("be_active",), assets=(seafront,))
        add_excerpt(second, "Nobody calls.", themes=(isolation,))
        add_deep_dive(dover, "DOV-03", "Not coded yet.")
        other = add_deep_dive(sheppey, "SHE-01", "The pier is lovely.", held_on=date(2026, 4, 1))
        add_excerpt(other, "The pier is lovely.", assets=(pier,), themes=(sheppey_isolation,))
        db.session.commit()


@pytest.fixture
def reader(client, coded, make_user, login):
    make_user(RESEARCHER, "researcher")
    assert login(RESEARCHER).status_code == 303
    return client


def test_context_is_the_paragraph_cut_to_its_limit_either_side():
    assert context(TRANSCRIPT, 42, 76) == ("", "\r\nI go every Tuesday.")
    assert context(TRANSCRIPT, 78, 82) == ("The library is where I see people.\r\n", " every Tuesday.")
    assert context(TRANSCRIPT, 0, 36) == ("", "")  # the whole paragraph: no context, never the next one
    long = "a" * (CONTEXT_CHARS + 50) + "KEY" + "b" * (CONTEXT_CHARS + 50)
    before, after = context(long, CONTEXT_CHARS + 50, CONTEXT_CHARS + 53)
    assert before == "…" + "a" * CONTEXT_CHARS and after == "b" * CONTEXT_CHARS + "…"


def _texts(filters: ExcerptFilter) -> list[str]:
    return [found.text for found in find_excerpts(filters).excerpts]


def test_find_excerpts_by_each_code_and_their_combination(app, coded):
    with app.app_context():
        dover = community("dover-town")
        library = db.session.scalars(select(Asset).filter_by(slug="dover_library")).one()
        assert _texts(ExcerptFilter(asset_id=library.id)) == [
            "The library is where I see people.",
            "=SUM(1+1) is what my grandson typed.",
        ]
        # The theme key matches in every campaign's codebook: Sheppey's isolation too.
        assert sorted(_texts(ExcerptFilter(theme_key="isolation"))) == [
            "I go every Tuesday.",
            "Nobody calls.",
            "The pier is lovely.",
        ]
        assert _texts(ExcerptFilter(community_id=dover.id, theme_key="isolation")) == [
            "Nobody calls.",  # DOV-02, held later than DOV-01, comes first
            "I go every Tuesday.",
        ]
        assert _texts(ExcerptFilter(sixways="connect", asset_id=library.id)) == ["The library is where I see people."]
        found = find_excerpts(ExcerptFilter(sixways="be_active")).excerpts[0]
        assert (found.participant_code, found.consent_sharing, found.synthetic) == ("DOV-02", False, True)
        assert (found.before, found.after) == ("", " Nobody calls.")
        assert [(c.kind, c.key) for c in found.codes] == [("sixways", "be_active"), ("asset", "dover_seafront")]
        limited = find_excerpts(ExcerptFilter(), limit=2)
        assert limited.total == 6 and len(limited.excerpts) == 2


def test_an_excerpt_whose_transcript_changed_is_shown_without_context(app, coded):
    with app.app_context():
        deep_dive = db.session.scalars(select(DeepDive).filter_by(participant_code="DOV-02")).one()
        deep_dive.transcript = "Rewritten. " + deep_dive.transcript
        db.session.commit()
        found = find_excerpts(ExcerptFilter(sixways="be_active")).excerpts[0]
        assert found.moved and (found.before, found.text, found.after) == ("", "The seafront walks.", "")


def test_the_retrieval_page_marks_each_excerpt_in_its_context(reader):
    page = reader.get("/research/excerpts?community=dover-town&asset=dover_library").get_data(as_text=True)
    assert "2 excerpts" in page
    assert "<mark>The library is where I see people.</mark>\r\nI go every Tuesday." in page
    assert "Consent: recording yes · quotation yes · sharing yes" in page and "DOV-01" in page
    assert "DOV-02" not in page.split("2 excerpts")[1]
    page = reader.get("/research/excerpts?theme=isolation&community=dover-town").get_data(as_text=True)
    assert "synthetic demo data" in page and "sharing no" in page
    assert '<option selected value="isolation">' in page  # the filter shows what was chosen


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("community=atlantis", "Choose a community from the list."),
        ("sixways=smile", "Choose a six ways dimension from the list."),
        ("asset=nowhere", "Choose an asset from the list."),
        ("theme=%3Cscript%3E", "Choose a theme from the list."),
        ("deep_dive=999", "That deep dive does not exist"),
        ("deep_dive=99999999999999999999999", "That deep dive does not exist"),
        ("deep_dive=2147483648", "That deep dive does not exist"),  # past PostgreSQL's INTEGER: was a 500
    ],
)
def test_unknown_filters_get_a_message_not_an_error(reader, query, message):
    answer = reader.get(f"/research/excerpts?{query}")
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)


def _recount(app, slug: str) -> tuple[Counter[str], Counter[int]]:
    """Codes and excerpts per deep dive counted from the rows, one by one."""
    by_code: Counter[str] = Counter()
    by_deep_dive: Counter[int] = Counter()
    with app.app_context():
        excerpts = db.session.scalars(select(Excerpt).join(DeepDive).join(Community).where(Community.slug == slug))
        for excerpt in excerpts:
            by_deep_dive[excerpt.deep_dive_id] += 1
            for code in excerpt.codes:
                key = code.sixways or (code.asset.slug if code.asset else f"theme:{code.theme.key}")  # type: ignore[union-attr]
                by_code[key] += 1
    return by_code, by_deep_dive


def test_counts_equal_a_recount(app, coded):
    by_code, by_deep_dive = _recount(app, "dover-town")
    with app.app_context():
        counts = community_counts(community("dover-town"))
        shown = {row.key: row.count for row in counts.sixways + counts.assets if row.count}
        shown |= {f"theme:{row.key}": row.count for row in counts.themes if row.count}
        assert shown == dict(by_code)
        assert {row.deep_dive_id: row.count for row in counts.deep_dives if row.count} == dict(by_deep_dive)
        assert counts.excerpts == sum(by_deep_dive.values()) == 5
        assert [row.count for row in counts.deep_dives if row.participant_code == "DOV-03"] == [0]


def test_the_counts_page_links_each_count_to_its_excerpts(reader):
    page = reader.get("/research/communities/dover-town/excerpts").get_data(as_text=True)
    links = {unescape(href): count for href, count in re.findall(r'href="(/research/excerpts\?[^"]+)">(\d+)<', page)}
    assert links["/research/excerpts?community=dover-town&sixways=connect"] == "2"
    assert links["/research/excerpts?community=dover-town&asset=dover_library"] == "2"
    assert links["/research/excerpts?community=dover-town&theme=isolation"] == "2"
    for href, count in links.items():
        listed = reader.get(href).get_data(as_text=True)
        assert f"{count} excerpt" in listed, href
    assert "1 deep dive is left out because the participant did not agree to sharing" in page
    assert "(DOV-02)" in page and "It holds 5 rows from 2 deep dives." in page


def _zip_rows(body: bytes) -> tuple[list[dict[str, str]], list[str], str]:
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == ["README.txt", "codebook.csv", "excerpts.csv"]
    excerpts = archive.read("excerpts.csv").decode("utf-8-sig")
    codebook = archive.read("codebook.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(excerpts))), codebook.splitlines(), archive.read("README.txt").decode()


def test_the_download_holds_shared_deep_dives_only_one_row_per_code(app, reader):
    answer = reader.get("/research/communities/dover-town/excerpts.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert re.search(r'filename="dover-town-excerpts-\d{4}-\d\d-\d\d\.zip"', answer.headers["Content-Disposition"])
    rows, codebook, readme = _zip_rows(answer.data)
    assert list(rows[0]) == ["interview", "participant", "community", "theme", "asset", "excerpt", "start", "end"]
    with app.app_context():
        first = db.session.scalars(select(DeepDive).filter_by(participant_code="DOV-01")).one()
        expected = []
        for excerpt in sorted(first.excerpts, key=lambda e: e.start):
            assert first.transcript[excerpt.start : excerpt.end] == excerpt.text
            for code in excerpt.codes:
                expected.append((excerpt.start, code.sixways or (code.theme.key if code.theme else ""), code.asset))
    assert len(rows) == len(expected) == 5
    assert {row["participant"] for row in rows} == {"DOV-01"}  # DOV-02 did not agree to sharing
    assert {row["interview"] for row in rows} == {str(first.id)} and {row["community"] for row in rows} == {
        "dover-town"
    }
    assert rows[0] == {
        "interview": str(first.id),
        "participant": "DOV-01",
        "community": "dover-town",
        "theme": "connect",
        "asset": "",
        "excerpt": "The library is where I see people.",
        "start": "42",
        "end": "76",
    }
    assert rows[1]["asset"] == "dover_library" and rows[1]["theme"] == ""
    guarded = [row for row in rows if row["start"] == "104"]
    assert guarded[0]["excerpt"] == "'=SUM(1+1) is what my grandson typed."  # formula guard
    assert codebook[0] == "theme_key,name,description,kind" and "isolation,Isolation,,theme" in codebook
    assert "Left out because the participant did not agree to sharing: 1." in readme
    with app.app_context():
        logged = db.session.scalars(select(DataAccess)).one()
        assert (logged.resource, logged.format, logged.row_count) == ("excerpts", "zip", 5)
        assert logged.filters == {"community": "dover-town", "left_out": 1} and logged.user_label == RESEARCHER


def test_the_export_command_writes_the_same_files(app, reader, runner, tmp_path):
    rows, codebook, _readme = _zip_rows(reader.get("/research/communities/dover-town/excerpts.zip").data)
    result = runner.invoke(args=["excerpts", "export", "--community", "dover-town", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Wrote 5 rows from 2 deep dives" in result.output  # DOV-01 and DOV-03 (no excerpts yet)
    assert "Left out 1 deep dive(s): the participant did not agree to sharing." in result.output
    written = (tmp_path / "out" / "excerpts.csv").read_bytes().decode("utf-8-sig")
    assert list(csv.DictReader(io.StringIO(written))) == rows
    assert (tmp_path / "out" / "codebook.csv").read_bytes().decode("utf-8-sig").splitlines() == codebook
    missing = runner.invoke(args=["excerpts", "export", "--community", "atlantis", "--out", str(tmp_path)])
    assert missing.exit_code != 0 and 'No community has the slug "atlantis"' in missing.output
    with app.app_context():
        logged = db.session.scalars(select(DataAccess).order_by(DataAccess.id)).all()
        assert [(e.channel, e.user_label, e.row_count) for e in logged] == [
            ("web", RESEARCHER, 5),
            ("cli", "cli:excerpts-export", 5),
        ]
