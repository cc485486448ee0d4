"""Who is counted: how many people an asset's value is multiplied by, and on what basis.

Users = share of respondents asked who use the asset x the residents in the surveyed ages the
sample represents (``population_size``, 16+ by default, with its ``population_source``), never a
total population that includes children. Scaling needs a probability sample: ``random`` scales,
``quota`` scales with a warning, ``convenience`` (or no recorded population or method) values the
surveyed users only (shared/reference/valuation.md, "Who is counted").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.columns import asset_column
from analysis.dataset import records
from instruments.answers import quoted

BASES = ("scaled_random", "scaled_quota", "surveyed")


@dataclass(frozen=True, slots=True)
class Users:
    """The users an asset is valued for.

    ``n_users``, ``asked`` and ``population`` feed the Monte Carlo (a Beta draw of the share, with
    the finite population correction) when the count is scaled; ``population`` is None for
    surveyed users.
    """

    valued: float
    basis: str
    note: str
    n_users: int
    asked: int
    population: int | None = None
    population_source: str | None = None
    warning: str = ""
    # The people asked are one sample of distinct residents of `population` (a single campaign), so
    # the share's sampling error takes the finite population correction. Waves of several campaigns
    # may ask the same resident twice: how many distinct residents were asked is then unknown.
    one_sample: bool = False

    @property
    def scaled(self) -> bool:
        """True when the users were scaled to a population (the share then has sampling error)."""
        return self.population is not None


def count_users(slug: str, community: str, n_users: int, responses: pd.DataFrame, campaigns: pd.DataFrame) -> Users:
    """Users of one asset to value, from the respondents of its community and their campaigns.

    Every campaign of that community in the data must record a population and a sampling method
    to scale; the weakest method decides (any convenience sample: surveyed users only; any quota
    sample: scaled with a warning). The population is that of the latest such campaign (the
    campaigns table's order).
    """
    # Masks on single columns: copying the whole (wide) responses table once per asset is the slow part.
    in_community = (responses["community"] == community).to_numpy()
    column = asset_column(slug)
    answered = int(responses[column].notna().to_numpy()[in_community].sum()) if column in responses else 0
    asked_campaigns = set(responses["campaign"].to_numpy()[in_community].astype(str))
    chosen = campaigns[(campaigns["community"] == community) & campaigns["campaign"].isin(asked_campaigns)]
    surveyed = f"surveyed users only: {n_users} of {answered} respondents asked use it"
    if answered == 0 or len(chosen) == 0:
        return Users(float(n_users), "surveyed", f"{surveyed}; no population recorded", n_users, answered)
    methods = set(chosen["sampling_method"].map(lambda m: m if isinstance(m, str) else None))
    if chosen["population_size"].isna().any() or None in methods:
        return Users(
            float(n_users), "surveyed", f"{surveyed}; no population size and sampling method", n_users, answered
        )
    unknown = methods - {"random", "quota", "convenience"}
    if unknown or "convenience" in methods:
        why = f"sampling method {quoted(sorted(unknown)[0])} not recognised" if unknown else "a convenience sample"
        return Users(float(n_users), "surveyed", f"{surveyed} ({why}: not scaled)", n_users, answered)
    # A sample is drawn from its population, so a campaign with more respondents than residents has a
    # wrong population (often another unit, e.g. households or a smaller area): scaling by it would
    # value fewer users than were surveyed (issue found by the numbers5 audit).
    campaign_column = responses["campaign"].to_numpy()[in_community].astype(str)
    for campaign in records(chosen):
        respondents = int((campaign_column == str(campaign["campaign"])).sum())
        if respondents > int(campaign["population_size"]):
            why = (
                f"campaign {quoted(campaign['campaign'])} has {respondents:,} respondents but a population of "
                f"{int(campaign['population_size']):,}: check the population recorded"
            )
            return Users(float(n_users), "surveyed", f"{surveyed} (not scaled: {why})", n_users, answered, warning=why)
    latest = records(chosen)[-1]
    population = int(latest["population_size"])
    source = latest.get("population_source") or None
    share = n_users / answered
    basis = "scaled_quota" if "quota" in methods else "scaled_random"
    sample = "quota" if basis == "scaled_quota" else "random"
    note = (
        f"{n_users} of {answered} respondents asked use it ({share:.1%}) x {population:,} residents "
        f"({source or 'source not recorded'}; {sample} sample)"
    )
    # One clause, no semicolon: the report splits warnings at semicolons, and this one read as two (numbers8 audit).
    warning = (
        "quota sample: users scaled to the population as if the sample were random, though a quota sample may not "
        "represent the users of this asset"
        if basis == "scaled_quota"
        else ""
    )
    return Users(share * population, basis, note, n_users, answered, population, source, warning, len(chosen) == 1)
