"""Asset profiles and the profile pack (issue 12, points 1 and 2): stored snapshots, the same numbers as
the report, small-cell suppression, the pages' states, the pack from the web and from `flask profiles`."""

from __future__ import annotations

import math
import re
import zlib

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from analysis.config import AnalysisConfig
from analysis.profile import WorkshopRatings, use_by_group
from survey.datasets.reader import build_dataset
from survey.datasets.report_build import report_from_database
from survey.extensions import db
from survey.models import AnalysisSnapshot, Asset, Community, ProfilePackJob, WorkshopRating
from tests.helpers import csrf_token
from tests.job_support import run_queued_jobs

COMMUNITY = "dover-town"


# The `flask demo` every test here starts from (built once per test process: tests/demo_support.py).
DEMO = ("--responses", "60", "--no-paper", "--no-profiles")


@pytest.fixture
def researcher(client, make_user, login, demo):
    demo(*DEMO)
    make_user("r@example.org", "researcher")
    assert login("r@example.org").status_code == 303
    return client


def _post(client, url: str, data: dict | None = None, token_page: str = "/research/communities"):
    token = csrf_token(client.get(token_page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _asset_slugs(app) -> list[str]:
    with app.app_context():
        community = db.session.scalars(select(Community).filter_by(slug=COMMUNITY)).one()
        return list(db.session.scalars(select(Asset.slug).where(Asset.community_id == community.id)))


def _snapshot(app) -> dict:
    with app.app_context():
        row = db.session.scalars(select(AnalysisSnapshot).where(AnalysisSnapshot.status == "done")).one()
        return row.figures


def _prepare(app, client, slug: str) -> None:
    first = _post(client, f"/research/assets/{slug}/profile/prepare")
    again = _post(client, f"/research/assets/{slug}/profile/prepare")  # a double click builds once
    assert first.status_code == again.status_code == 303
    with app.app_context():
        assert len(db.session.scalars(select(AnalysisSnapshot)).all()) == 1
    run_queued_jobs(app)


def _close(left, right) -> bool:
    if left is None or (isinstance(left, float) and math.isnan(left)):
        return right is None or (isinstance(right, float) and math.isnan(right)) or pd.isna(right)
    return right is not None and not pd.isna(right) and float(left) == pytest.approx(float(right), rel=1e-9)


@pytest.mark.slow
def test_profile_numbers_equal_the_report_for_the_same_data(app, researcher, tmp_path):
    slug = _asset_slugs(app)[0]
    page = researcher.get(f"/research/assets/{slug}/profile").get_data(as_text=True)
    assert "have not been prepared yet" in page and "Who uses it" not in page  # GET never queues
    assert run_queued_jobs(app) == 0
    _prepare(app, researcher, slug)
    figures = _snapshot(app)

    with app.app_context():
        report_from_database(db.engine, tmp_path, communities=[COMMUNITY])
    value = pd.read_csv(tmp_path / "asset_value.csv").set_index("asset")
    effects = pd.read_csv(tmp_path / "asset_effects.csv").set_index("asset")
    use = pd.read_csv(tmp_path / "asset_use.csv").set_index("asset")
    assert set(figures["assets"]) == set(value.index) and len(value) >= 5
    compared = 0
    for asset, profile in figures["assets"].items():
        for column in ("effect", "se", "p_adj", "effect_shrunk"):
            assert _close(profile["valued"][column], value.at[asset, column]), (asset, column)
        assert profile["valued"]["evidence"] == value.at[asset, "evidence"]
        for column in ("gross_value_central", "value_central", "value_low", "value_high", "bcr_central"):
            assert _close(profile["value"][column], value.at[asset, column]), (asset, column)
        for column in ("effect", "ci_low", "ci_high", "p"):
            assert _close(profile["wellbeing"][column], effects.at[asset, column]), (asset, column)
        assert _close(profile["use"]["user_share"], use.at[asset, "user_share"])
        assert _close(profile["use"]["importance"]["users"]["mean"], use.at[asset, "importance_users_mean"])
        compared += math.isfinite(value.at[asset, "effect"])
    assert compared >= 3, "the demo's models estimate several assets"

    shown = researcher.get(f"/research/assets/{slug}/profile").get_data(as_text=True)
    assert "Who uses it" in shown and "Its value" in shown and "have not been prepared" not in shown
    with app.app_context():
        rated = set(db.session.scalars(select(Asset.slug).join(WorkshopRating, WorkshopRating.asset_id == Asset.id)))
    assert ("Workshop ratings" in shown) == (slug in rated)  # the demo workshop rated some assets only


@pytest.mark.slow
def test_use_by_age_band_and_gender_is_counted_from_the_data_with_small_cells_blanked(app, researcher):
    slug = _asset_slugs(app)[0]
    _prepare(app, researcher, slug)
    figures = _snapshot(app)
    with app.app_context():
        responses = build_dataset(db.engine, communities=[COMMUNITY], verified_only=True).responses
    labels = {
        "age_band": {1: "16-24", 2: "25-34", 3: "35-44", 4: "45-54", 5: "55-64", 6: "65-74", 7: "75 or over"},
        "gender": {1: "Woman", 2: "Man", 3: "In another way"},
    }
    checked = 0
    for asset, profile in figures["assets"].items():
        answers = responses[f"asset_{asset}"]
        for group_type, codes in labels.items():
            for row in profile["use_by"][group_type]:
                code = next((code for code, label in codes.items() if label == row["group"]), None)
                column = responses[group_type]
                chosen = answers[column == code] if code else answers[column.isna()]
                asked, users = int(chosen.notna().sum()), int((chosen >= 1).sum())
                for count in (row["asked"], row["users"]):
                    assert count is None or count == 0 or count >= 10, (asset, row)  # never a small count
                if row["users"] is not None:
                    assert (row["asked"], row["users"]) == (asked, users), (asset, row)
                    checked += 1
            blanked = [row for row in profile["use_by"][group_type] if row["suppressed"]]
            assert len(blanked) != 1, "one blank group could be worked out from the total"
    assert checked >= 3


def test_a_single_small_group_takes_a_second_one_with_it():
    """Unit check of the breakdown rule: the blanked group could otherwise be worked out from the total."""
    ages = [1] * 20 + [2] * 25 + [3] * 4
    uses = [1] * 10 + [0] * 10 + [2] * 12 + [0] * 13 + [1, 0, 0, 0]
    responses = pd.DataFrame(
        {"community": "c", "age_band": np.array(ages, dtype=float), "asset_x": np.array(uses, dtype=float)}
    )
    assets = pd.DataFrame({"slug": ["x"], "name": ["X"], "kind": ["place"], "community": ["c"]})
    rows = {row["group"]: row for row in use_by_group(responses, assets, "x", AnalysisConfig(), "age_band")}
    assert rows["25-34"] == {"group": "25-34", "asked": 25, "users": 12, "user_share": 12 / 25, "suppressed": False}
    assert rows["35-44"]["asked"] is None and rows["35-44"]["suppressed"]  # 4 people: below the threshold
    assert rows["16-24"]["users"] is None and rows["16-24"]["suppressed"]  # secondary: smallest shown group
    assert rows["45-54"]["asked"] == 0 and not rows["45-54"]["suppressed"]  # nobody: zero is shown
    assert "not answered" not in rows  # everyone gave an age


@pytest.mark.slow
def test_pages_say_when_data_changed_and_show_workshop_ratings_only_when_given(app, researcher):
    from survey.datasets import profiles
    from survey.deepdives.quotes import asset_quotes

    slug = _asset_slugs(app)[0]
    _prepare(app, researcher, slug)
    with app.app_context():
        asset = db.session.scalars(select(Asset).filter_by(slug=slug)).one()
        asset.annual_cost = 123456.0  # the asset log changed: the figures are out of date
        db.session.commit()
    page = researcher.get(f"/research/assets/{slug}/profile").get_data(as_text=True)
    assert "The data has changed since these figures were prepared" in page and "Prepare the figures again" in page
    with app.app_context(), app.test_request_context():
        asset = db.session.scalars(select(Asset).filter_by(slug=slug)).one()
        snapshot = profiles.current_snapshot(asset.community)
        rating = WorkshopRatings(
            slug, "Dover workshop", 5, (0, 1, 1, 2, 1), (1, 1, 2, 1, 0), 4.0, 3.0, ("<b>Good</b>",)
        )
        other = WorkshopRatings("elsewhere", "Dover workshop", 5, (0, 0, 0, 0, 5), (0, 0, 0, 0, 5), 5.0, 5.0)
        from flask import render_template

        html = render_template(
            "profiles/pack.html",
            community=asset.community,
            snapshot=snapshot,
            summary={"responses": 1, "campaigns": []},
            price_year=2019,
            threshold=10,
            profiles=[profiles.asset_profile(asset, snapshot, [rating, other])],
            deep_dives=asset_quotes([asset.id], limit_per_asset=2),
            embedded_stylesheet="",
            made_on=pd.Timestamp("2026-12-04"),
            cover_sentence="",
            cover_rows=[],
            maps={},
        )
    assert "Workshop ratings" in html and "Dover workshop: 5 participants" in html
    assert "&lt;b&gt;Good&lt;/b&gt;" in html and "<b>Good</b>" not in html  # comments are escaped


@pytest.mark.slow
def test_profile_pack_from_the_web_is_built_by_a_job_and_downloaded(app, researcher):
    page = researcher.get(f"/research/communities/{COMMUNITY}/profile-packs")
    assert page.status_code == 200
    started = _post(researcher, f"/research/communities/{COMMUNITY}/profile-packs", {"campaign": ""})
    again = _post(researcher, f"/research/communities/{COMMUNITY}/profile-packs", {"campaign": ""})
    assert started.status_code == again.status_code == 303
    assert started.headers["Location"] == again.headers["Location"]  # a double click makes one pack
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    waiting = researcher.get(f"/research/profile-packs/{job_id}").get_data(as_text=True)
    assert "Working:" in waiting and "Refresh" in waiting
    run_queued_jobs(app)
    with app.app_context():
        job = db.session.get(ProfilePackJob, job_id)
        assert job.status == "done", job.error
    done = researcher.get(f"/research/profile-packs/{job_id}").get_data(as_text=True)
    assert "Download the pack (PDF)" in done
    pdf = researcher.get(f"/research/profile-packs/{job_id}/profiles.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    html = researcher.get(f"/research/profile-packs/{job_id}/profiles.html")
    assert "attachment" in html.headers["Content-Disposition"] and b"Asset profiles: Dover Town" in html.data
    assert researcher.get(f"/research/profile-packs/{job_id}/secrets.txt").status_code == 404
    # The pack built the community's snapshot, which the profile pages now read.
    assert "Who uses it" in researcher.get(f"/research/assets/{_asset_slugs(app)[0]}/profile").get_data(as_text=True)


def test_a_practice_or_unknown_campaign_is_refused(app, researcher, make_campaign):
    make_campaign("practice-run", keys=("sixways",), asset_slugs=(), practice=True)
    for campaign in ("practice-run", "no-such-campaign"):
        refused = _post(researcher, f"/research/communities/{COMMUNITY}/profile-packs", {"campaign": campaign})
        assert refused.status_code == 303 and refused.headers["Location"].endswith("/profile-packs")
    with app.app_context():
        assert db.session.scalars(select(ProfilePackJob)).all() == []


def _pages_per_asset(html: str) -> list[int]:
    """Pages each asset takes in the printed pack (from the PDF bookmarks WeasyPrint makes)."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    starts = [index for index, page in enumerate(document.pages) for _bookmark in page.bookmarks]
    ends = [*starts[1:], len(document.pages)]
    return [end - start for start, end in zip(starts, ends, strict=True)][1:]  # the first bookmark is the cover


def _pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF, looking inside its compressed object streams (no PDF reader is installed)."""
    bodies = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            bodies.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", body)) for body in bodies)


@pytest.mark.slow
def test_flask_profiles_writes_the_pdf_and_html_with_one_or_two_pages_per_asset(app, runner, tmp_path, demo):
    demo(*DEMO)
    result = runner.invoke(args=["profiles", "--community", COMMUNITY, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pdf, html = (tmp_path / "profiles.pdf").read_bytes(), (tmp_path / "profiles.html").read_text()
    assert pdf.startswith(b"%PDF")
    names = _asset_slugs(app)
    pages = _pages_per_asset(html)
    assert len(pages) == len(names) and all(count in (1, 2) for count in pages), pages
    assert _pdf_pages(pdf) == 1 + sum(pages)  # the cover, then the assets
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    unknown = runner.invoke(args=["profiles", "--community", "atlantis", "--out", str(tmp_path)])
    assert unknown.exit_code != 0 and 'No community "atlantis"' in unknown.output


def test_peers_read_profiles_of_their_own_communities_only(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    make_user("peer@example.org", "peer", communities=("dover-town",))
    assert login("peer@example.org").status_code == 303
    listing = client.get("/fieldwork/assets").get_data(as_text=True)
    assert "/fieldwork/assets/dover_library/profile" in listing and "sheppey_library" not in listing
    own = client.get("/fieldwork/assets/dover_library/profile")
    assert own.status_code == 200 and "A researcher can prepare them" in own.get_data(as_text=True)
    assert "Prepare the figures" not in own.get_data(as_text=True)  # read-only
    assert client.get("/fieldwork/assets/sheppey_library/profile").status_code == 404
    assert client.get("/research/assets/dover_library/profile").status_code == 403


def test_profile_pack_download_of_an_unfinished_job_is_404(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_user("r@example.org", "researcher")
    assert login("r@example.org").status_code == 303
    with app.app_context():
        job = ProfilePackJob(community_slug="dover-town")
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    assert client.get(f"/research/profile-packs/{job_id}/profiles.pdf").status_code == 404


def test_a_responses_import_queues_new_figures_for_communities_that_have_some(
    app, client, make_campaign, make_user, login, tmp_path
):
    from tests.test_response_import import IMPORTS, _csv, _rows, _upload, _waiting_token

    app.instance_path = str(tmp_path / "instance")  # uploads wait under the instance folder: keep them here
    make_campaign()
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    make_user("r@example.org", "researcher")
    assert login("r@example.org").status_code == 303
    with app.app_context():
        dover = db.session.scalars(select(Community).filter_by(slug=COMMUNITY)).one()
        db.session.add(AnalysisSnapshot(community_id=dover.id, status="done", figures={"assets": {}}))
        db.session.commit()
        dover_id = dover.id
    html = _upload(client, _csv(_rows(3))).get_data(as_text=True)
    done = client.post(f"{IMPORTS}/{_waiting_token(html)}", data={"csrf_token": csrf_token(html)})
    assert done.status_code == 303
    assert run_queued_jobs(app, limit=1) == 1  # the import itself, which queues the figures
    with app.app_context():
        queued = db.session.scalars(select(AnalysisSnapshot).where(AnalysisSnapshot.status == "queued")).all()
        assert [row.community_id for row in queued] == [dover_id]  # Sheppey has none: built when first asked


def test_old_profile_packs_are_purged_like_reports(app, tmp_path):
    from datetime import timedelta
    from pathlib import Path

    from survey.database import utcnow
    from survey.ops.maintenance import purge, remove_files

    with app.app_context():
        results = Path(app.config["RESULTS_DIR"])
        old, recent = results / "profile-packs" / "1-old.zip", results / "profile-packs" / "2-new.zip"
        old.parent.mkdir(parents=True, exist_ok=True)
        old.write_bytes(b"PK")
        recent.write_bytes(b"PK")
        for path, age in ((old, 40), (recent, 1)):
            db.session.add(
                ProfilePackJob(
                    community_slug=COMMUNITY,
                    status="done",
                    file_path=str(path.relative_to(results)),
                    finished_at=utcnow() - timedelta(days=age),
                )
            )
        db.session.commit()
        result = purge(tmp_path, 90, results_dir=results, report_days=30)
        db.session.commit()
        remove_files(result.files_to_remove)
        assert result.report_files_released == 1 and not old.exists() and recent.exists()


def test_the_fingerprint_changes_with_agreed_adjustments_and_verified_responses(app, make_campaign):
    from survey.database import utcnow
    from survey.datasets.snapshots import fingerprint
    from survey.models import Campaign, Response, ValuationAdjustment

    make_campaign()
    with app.app_context():
        community = db.session.scalars(select(Community).filter_by(slug=COMMUNITY)).one()
        campaign = db.session.scalars(select(Campaign).filter_by(slug=COMMUNITY)).one()
        asset = db.session.scalars(select(Asset).filter_by(slug="dover_library")).one()
        before, counted = fingerprint(community, None)
        assert counted == 0
        db.session.add(
            ValuationAdjustment(campaign=campaign, asset=asset, attribution=0.2, reason="Agreed at the workshop")
        )
        db.session.commit()
        agreed, _ = fingerprint(community, None)
        assert agreed != before
        response = Response(
            public_id="p" * 32,
            campaign_id=campaign.id,
            community_id=community.id,
            mode="paper",
            instrument_versions={},
            status="complete",
            submitted_at=utcnow(),
            verified=False,
        )
        db.session.add(response)
        db.session.commit()
        assert fingerprint(community, None) == (agreed, 0)  # awaiting double entry: not in the figures
        response.verified = True
        db.session.commit()
        verified, counted = fingerprint(community, None)
        assert verified != agreed and counted == 1


def test_a_profile_value_over_several_agreed_years_is_labelled_so():
    # Found by the numbers5 audit: with adjustments agreed over 3 years the profile said "Value a year"
    # beside the present value of all three years (drop-off and 1.5% discounting).
    from analysis import run
    from analysis.adjustments import prepare_adjustments
    from analysis.profile import profile_snapshot
    from survey.datasets.profiles import display_tables
    from tests.analysis.synthetic import STANDARD, make_survey

    responses, assets = make_survey(STANDARD, per_community=300, seed=11)
    agreed = {"asset": ["north_park"], "deadweight": [0.2], "attribution": [0.1], "displacement": [0.0]}
    agreed |= {"drop_off": [0.3], "years": [3], "reason": ["agreed at the workshop"], "agreed_by": ["the workshop"]}
    result = run(responses, assets, adjustments=prepare_adjustments(pd.DataFrame(agreed)))
    figures = profile_snapshot(result)["assets"]
    value = figures["north_park"]["value"]
    assert value["years"] == 3 and figures["north_park"]["valued"]["evidence"] == "clear"
    labels = dict(display_tables(figures["north_park"], 10)["value"])
    assert "Value over 3 years (present value, after drop-off and discounting) (central)" in labels
    assert "Value a year (central)" in dict(display_tables(figures["north_library"], 10)["value"])


def test_a_profile_names_the_wellby_values_as_2019_prices_in_another_price_year():
    # With VALUATION_PRICE_YEAR 2024 the profile's figures are 2024 pounds computed from HM Treasury's
    # GBP 10,000-16,000 in 2019 prices; the row named those values with no year (numbers6 audit).
    from analysis import AnalysisConfig, run
    from analysis.profile import profile_snapshot
    from survey.datasets.profiles import display_tables
    from tests.analysis.synthetic import STANDARD, make_survey

    responses, assets = make_survey(STANDARD, per_community=300, seed=11)
    for year, config in ((2024, AnalysisConfig(price_year=2024, deflator=1.2)), (2019, AnalysisConfig())):
        figures = profile_snapshot(run(responses, assets, config=config))["assets"]
        labels = [label for label, _ in display_tables(figures["north_park"], 10)["value"]]
        assert ("With a WELLBY at £10,000 to £16,000 (2019 prices)" in labels) == (year == 2024)


def test_a_profile_names_the_runs_wellby_values():
    # The pack's row read "With a WELLBY at £10,000 to £16,000" whatever the run's pounds per WELLBY (numbers8
    # audit); a snapshot stored before the values were recorded was made with HM Treasury's.
    from analysis import AnalysisConfig, run
    from analysis.profile import profile_snapshot
    from survey.datasets.profiles import display_tables
    from tests.analysis.synthetic import STANDARD, make_survey

    responses, assets = make_survey(STANDARD, per_community=300, seed=11)
    config = AnalysisConfig(wellby_low=8_000, wellby_central=12_000, wellby_high=20_000, draws=1_000)
    figures = profile_snapshot(run(responses, assets, config=config))["assets"]
    labels = [label for label, _ in display_tables(figures["north_park"], 10)["value"]]
    assert "With a WELLBY at £8,000 to £20,000" in labels
    older = figures["north_park"] | {
        "value": {k: v for k, v in figures["north_park"]["value"].items() if not k.startswith("wellby_")}
    }
    assert "With a WELLBY at £10,000 to £16,000" in [label for label, _ in display_tables(older, 10)["value"]]


def test_a_profile_gives_no_money_figure_for_an_effect_that_is_not_clear_and_sources_its_users():
    # The pack showed "With a WELLBY at £10,000 to £16,000: £13.4 million to £21.4 million" beside "not
    # established" for a suggestive effect, and -£8.3 million to -£13.2 million for a clear negative one
    # (selection, not harm); and "Users valued 4,005" with no population or source (numbers8 audit).
    from pathlib import Path

    from analysis.dataset_files import read_dataset
    from analysis.pipeline import run_dataset
    from analysis.profile import profile_snapshot
    from survey.datasets.profiles import display_tables

    uneven = Path(__file__).parent / "analysis" / "holdout" / "uneven"
    figures = profile_snapshot(run_dataset(read_dataset(uneven)))["assets"]
    wellby = "With a WELLBY at £10,000 to £16,000"
    for slug, grade in (("oak_park", "suggestive"), ("oak_foodbank", "clear"), ("elm_cafe", "none")):
        assert figures[slug]["valued"]["evidence"] == grade
        assert dict(display_tables(figures[slug], 10)["value"])[wellby] == "not established", slug
    users = dict(display_tables(figures["oak_park"], 10)["value"])["Users valued"]
    source = "Synthetic: Oak residents aged 16+ (illustrative)"
    assert users == f"4,005 (scaled to 9,000 residents (source: {source}); random sample)"
    assert dict(display_tables(figures["pine_hall"], 10)["value"])["Users valued"] == "22 (surveyed users only)"
    park = dict(display_tables(figures["oak_park"], 10)["value"])
    assert park["Annual cost"] == "£40,000 (2023 prices)"  # read "(2023.0 prices)"
    # A clear negative association's range is at face value, not "if the association were real" (it is clear).
    food = dict(display_tables(figures["oak_foodbank"], 10)["value"])
    # The effect drawn from its t (540 df) since numbers9: R's 2,000,000 draws give -£18.0 million to -£3.98 million.
    assert food["95% range at face value (a negative association, not a value)"] == "-£18.1 million to -£4.0 million"
    assert "95% range, if the association were real" in park


def test_the_evidence_grade_stands_beside_the_p_value_it_comes_from():
    # The table's one p row was the WEMWBS model's, beside the grade of the valued life-satisfaction
    # effect: on the demo's seafront, "adjusted 0.048" stood over "Suggestive (not established)".
    from analysis import run
    from analysis.profile import profile_snapshot
    from survey.datasets.profiles import display_tables
    from tests.analysis.synthetic import STANDARD, make_survey

    responses, assets = make_survey(STANDARD, per_community=300, seed=11)
    figures = profile_snapshot(run(responses, assets))["assets"]["north_park"]
    rows = dict(display_tables(figures, 10)["wellbeing"])
    valued = figures["valued"]
    assert "p (adjusted for the number of assets tested)" not in rows  # no p without its scale
    assert rows["WEMWBS p (adjusted for the number of assets tested)"].startswith(("0.", "< 0.001"))
    shown = rows["p of the effect valued (adjusted for the number of assets tested)"]
    assert shown.endswith(f"(adjusted {'< 0.001' if valued['p_adj'] < 0.001 else format(valued['p_adj'], '.3f')})")
    assert (
        rows["95% confidence interval of the effect valued"] == f"{valued['ci_low']:+.2f} to {valued['ci_high']:+.2f}"
    )
    assert rows["Evidence (of the effect valued)"] == "Clear"


def test_a_profile_shows_no_value_for_fewer_users_than_the_threshold():
    # With the threshold above an asset's 20 users the pack hid "Users valued" but showed the range, from which
    # the count follows (value / effect / WELLBY; numbers8 audit). Its sentence and every money row now say why.
    from pathlib import Path

    from analysis import AnalysisConfig
    from analysis.dataset_files import read_dataset
    from analysis.pipeline import run_dataset
    from analysis.profile import profile_snapshot
    from survey.datasets.profiles import display_tables

    uneven = Path(__file__).parent / "analysis" / "holdout" / "uneven"
    snapshot = profile_snapshot(run_dataset(read_dataset(uneven), config=AnalysisConfig(disclosure_threshold=21)))
    club = snapshot["assets"]["pine_club"]
    rows = dict(display_tables(club, snapshot["threshold"])["value"])
    hidden = "not shown: fewer than 21 users"
    assert {label for label, text in rows.items() if text != hidden} == {"Basis", "Annual cost"}
    assert "No money value is shown: fewer than 21 of the people surveyed use it" in club["sentences"]["value"]
    assert "£" not in club["sentences"]["value"]
    hall = dict(display_tables(snapshot["assets"]["pine_hall"], snapshot["threshold"])["value"])
    assert hall["Users valued"] == "22 (surveyed users only)"
