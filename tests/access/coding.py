"""Rules for coding deep dives, the codebook of themes and the retrieval of excerpts: researchers and admins
only; peers have none of these pages (403), even for their own community (survey.deepdives)."""

from __future__ import annotations

from datetime import date

from survey.extensions import db
from survey.models import DeepDive, Excerpt, ExcerptCode, Theme
from tests.access import RESEARCH, Rule
from tests.access.world import World


def build(world: World) -> None:
    """In each community: a theme that codes an excerpt of a deep dive (so deleting the theme asks first,
    and stays for every role), and a second excerpt to delete (a second delete finds it gone: 303)."""
    for key, community in (("own", world.own), ("other", world.other)):
        campaign = community.campaigns[0]
        theme = Theme(campaign=campaign, key=f"matrix_{key}", name=f"Matrix theme ({key})")
        deep_dive = DeepDive(
            community=community,
            campaign=campaign,
            participant_code=f"CODING-{key}",
            held_on=date(2026, 3, 14),
            transcript="First paragraph.\n\nSecond paragraph.",
        )
        coded = Excerpt(deep_dive=deep_dive, start=0, end=16, text="First paragraph.")
        coded.codes = [ExcerptCode(theme=theme), ExcerptCode(sixways="connect")]
        spare = Excerpt(deep_dive=deep_dive, start=18, end=35, text="Second paragraph.")
        spare.codes = [ExcerptCode(sixways="give")]
        db.session.add_all([theme, deep_dive, coded, spare])
        db.session.flush()
        world.ids[f"theme_{key}"] = theme.key
        world.ids[f"coded_deep_dive_{key}"] = deep_dive.id
        world.ids[f"excerpt_{key}"] = coded.id
        world.ids[f"excerpt_spare_{key}"] = spare.id


def _both(endpoint: str, method: str, template: str) -> list[Rule]:
    return [Rule(endpoint, method, template.format(key=key), RESEARCH) for key in ("own", "other")]


RULES = [
    *_both("research.themes", "GET", "/research/campaigns/{{campaign_{key}}}/themes"),
    *_both("research.themes_csv", "GET", "/research/campaigns/{{campaign_{key}}}/themes.csv"),
    *_both("research.new_theme", "GET", "/research/campaigns/{{campaign_{key}}}/themes/new"),
    # A POST with no fields shows the form again with its problems: 422.
    *_both("research.new_theme", "POST", "/research/campaigns/{{campaign_{key}}}/themes/new"),
    *_both("research.edit_theme", "GET", "/research/campaigns/{{campaign_{key}}}/themes/{{theme_{key}}}/edit"),
    *_both("research.edit_theme", "POST", "/research/campaigns/{{campaign_{key}}}/themes/{{theme_{key}}}/edit"),
    # The theme codes an excerpt: without `confirm` the page asks first (200) and nothing is deleted.
    *_both(
        "research.delete_theme_page", "POST", "/research/campaigns/{{campaign_{key}}}/themes/{{theme_{key}}}/delete"
    ),
    *_both("research.code_deep_dive", "GET", "/research/deep-dives/{{coded_deep_dive_{key}}}/code"),
    *_both("research.code_deep_dive", "POST", "/research/deep-dives/{{coded_deep_dive_{key}}}/code"),
    *_both(
        "research.excerpt_codes",
        "GET",
        "/research/deep-dives/{{coded_deep_dive_{key}}}/excerpts/{{excerpt_{key}}}/codes",
    ),
    *_both(
        "research.excerpt_codes",
        "POST",
        "/research/deep-dives/{{coded_deep_dive_{key}}}/excerpts/{{excerpt_{key}}}/codes",
    ),
    *_both(
        "research.delete_excerpt_page",
        "POST",
        "/research/deep-dives/{{coded_deep_dive_{key}}}/excerpts/{{excerpt_spare_{key}}}/delete",
    ),
    Rule("research.excerpts", "GET", "/research/excerpts", RESEARCH),
    *_both("research.community_excerpts", "GET", "/research/communities/{{community_{key}}}/excerpts"),
    *_both("research.excerpts_download", "GET", "/research/communities/{{community_{key}}}/excerpts.zip"),
]
