"""Settings of an analysis run, each published number with its source beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass

# HM Treasury, Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance (July 2021,
# Open Government Licence): one WELLBY = one life-satisfaction point (0-10) for one person for one
# year; central value GBP 13,000, sensitivity range GBP 10,000-16,000, all in 2019 prices.
WELLBY_PRICE_YEAR = 2019
WELLBY_LOW = 10_000.0
WELLBY_CENTRAL = 13_000.0
WELLBY_HIGH = 16_000.0

# Happy City's WellWorth method, citing Mukuria et al. 2016 (Policy Research Unit in Economic
# Evaluation of Health and Care Interventions, report RR0048): about 0.13 life-satisfaction points
# per WEMWBS point and 0.26 per SWEMWBS point. Secondary figures: kept as named assumptions.
LS_PER_WEMWBS = 0.13
LS_PER_SWEMWBS = 0.26

# Health Survey for England 2016, mean WEMWBS of adults: men 50.1, women 49.6
# (shared/reference/wemwbs.md, "Norms and interpretation").
NORM_SOURCE = "Health Survey for England 2016"
NORM_MEN = 50.1
NORM_WOMEN = 49.6

# Commonly used WEMWBS bands (WEMWBS User Guide v2 as cited by CORC): conventions, not diagnoses;
# WEMWBS is not a screening tool (University of Warwick). Upper bounds are inclusive.
WEMWBS_BANDS: tuple[tuple[str, float], ...] = (
    ("40 or below (often labelled 'probable depression')", 40),
    ("41-44 (often labelled 'possible depression')", 44),
    ("45-59 (often labelled 'average')", 59),
    ("60 or above (often labelled 'high')", math.inf),
)

# Covariates of the asset models (issue 4, part 5): demographics, plus mode because
# interviewer-administered WEMWBS reads higher.
CATEGORICAL_COVARIATES = ("age_band", "gender", "employment", "mode")
NUMERIC_COVARIATES = ("years_in_area",)


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisConfig:
    """Every setting `analysis.run` uses; the defaults are the published values named in the module.

    Parameters
    ----------
    disclosure_threshold
        Groups with fewer respondents than this have their statistics blanked (``suppressed`` = 1).
        Default 10 (issue 4, part 3).
    alpha
        Two-sided significance level; confidence intervals are ``1 - alpha`` (default 95%).
    norm_men, norm_women, norm_source
        Reference WEMWBS means. Default Health Survey for England 2016 (men 50.1, women 49.6).
        A respondent whose gender is "in another way" or not given is compared with the mean of
        the two (the project's own choice: no published norm exists for that group).
    wellby_low, wellby_central, wellby_high
        Pounds per WELLBY in `WELLBY_PRICE_YEAR` (2019) prices; HM Treasury 2021 values.
    ls_per_wemwbs, ls_per_swemwbs
        Life-satisfaction points per WEMWBS / SWEMWBS point (WellWorth, citing Mukuria et al. 2016).
    price_year, deflator
        Price year of the money values. For any year other than 2019, give ``deflator`` = GDP
        deflator of `price_year` divided by the GDP deflator of 2019 (HM Treasury's GDP deflators).
    min_group
        An asset model needs at least this many users and this many non-users among the
        respondents in the model; otherwise the row carries a warning and blank estimates.
    """

    disclosure_threshold: int = 10
    alpha: float = 0.05
    norm_men: float = NORM_MEN
    norm_women: float = NORM_WOMEN
    norm_source: str = NORM_SOURCE
    wellby_low: float = WELLBY_LOW
    wellby_central: float = WELLBY_CENTRAL
    wellby_high: float = WELLBY_HIGH
    ls_per_wemwbs: float = LS_PER_WEMWBS
    ls_per_swemwbs: float = LS_PER_SWEMWBS
    price_year: int = WELLBY_PRICE_YEAR
    deflator: float | None = None
    min_group: int = 10

    def __post_init__(self) -> None:
        if isinstance(self.disclosure_threshold, bool) or not isinstance(self.disclosure_threshold, int):
            raise ValueError(f"disclosure_threshold must be a whole number, not {self.disclosure_threshold!r}")
        if self.disclosure_threshold < 0:
            raise ValueError(f"disclosure_threshold must be 0 or more, not {self.disclosure_threshold}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, not {self.alpha}")
        if not self.wellby_low <= self.wellby_central <= self.wellby_high:
            raise ValueError(
                "WELLBY values must satisfy low <= central <= high, not "
                f"{self.wellby_low} / {self.wellby_central} / {self.wellby_high}"
            )
        for name in ("norm_men", "norm_women", "wellby_low", "ls_per_wemwbs", "ls_per_swemwbs"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number, not {value!r}")
        if self.min_group < 2:
            raise ValueError(f"min_group must be at least 2, not {self.min_group}")
        if self.deflator is not None and (not math.isfinite(self.deflator) or self.deflator <= 0):
            raise ValueError(f"deflator must be a positive number, not {self.deflator!r}")
        if self.price_year != WELLBY_PRICE_YEAR and self.deflator is None:
            raise ValueError(
                f"price_year {self.price_year} needs a deflator: the GDP deflator of {self.price_year} "
                f"divided by that of {WELLBY_PRICE_YEAR} (WELLBY values are in {WELLBY_PRICE_YEAR} prices)"
            )

    @property
    def price_factor(self) -> float:
        """Multiplier from 2019 prices to `price_year` prices (1.0 for 2019 without a deflator)."""
        return 1.0 if self.deflator is None else float(self.deflator)

    @property
    def confidence(self) -> float:
        """Confidence level of every interval, e.g. 0.95."""
        return 1.0 - self.alpha

    @property
    def norm_other(self) -> float:
        """Norm used when gender is neither man nor woman, or not given: the mean of the two norms."""
        return (self.norm_men + self.norm_women) / 2
