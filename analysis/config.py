"""Settings of an analysis run, each published number with its source beside it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# HM Treasury, Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance (July 2021,
# Open Government Licence): one WELLBY = one life-satisfaction point (0-10) for one person for one
# year; central value GBP 13,000, sensitivity range GBP 10,000-16,000, all in 2019 prices.
WELLBY_PRICE_YEAR = 2019
WELLBY_LOW = 10_000.0
WELLBY_CENTRAL = 13_000.0
WELLBY_HIGH = 16_000.0

# HM Treasury, The Green Book (2022), and its Wellbeing Guidance (2021): wellbeing, like health and
# QALYs, is discounted at 1.5% a year; other costs and benefits at the standard 3.5%.
WELLBEING_DISCOUNT_RATE = 0.015
COST_DISCOUNT_RATE = 0.035

# The Monte Carlo ranges: a fixed default seed so that a report can be rebuilt to the penny; the
# Green Book suggests Monte Carlo for uncertainty (Annex A5).
DEFAULT_SEED = 20210701
DEFAULT_DRAWS = 10_000

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

# Ng Fat L, Scholes S, Boniface S, Mindell J, Stewart-Brown S. Evaluating and establishing national norms
# for mental wellbeing using the short Warwick-Edinburgh Mental Well-being Scale (SWEMWBS): findings from
# the Health Survey for England. Qual Life Res 2017;26:1129-44 (HSE 2010-2013, n = 27,169): mean metric
# SWEMWBS of adults, men 23.7, women 23.2 (shared/reference/wemwbs.md).
SWEMWBS_NORM_SOURCE = "Health Survey for England 2010-2013 (Ng Fat et al. 2017)"
SWEMWBS_NORM_MEN = 23.7
SWEMWBS_NORM_WOMEN = 23.2

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


@dataclass(frozen=True, slots=True)
class Deflators:
    """A price index by calendar year (e.g. HM Treasury's GDP deflators) and where it came from.

    Never shipped with numbers: the user gives the table (``year,index`` with a ``# source:`` line),
    because no official series can be fetched here and an invented constant is not a source.
    """

    index: Mapping[int, float]
    source: str

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise ValueError("a deflator table needs its source (a '# source: ...' line)")
        for year, value in self.index.items():
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"deflator index for {year} must be a positive number, not {value!r}")

    def factor(self, from_year: int, to_year: int) -> float | None:
        """Multiplier from `from_year` prices to `to_year` prices; None when a year is not in the table."""
        if from_year not in self.index or to_year not in self.index:
            return None
        return self.index[to_year] / self.index[from_year]


def read_deflators(path: str | Path) -> Deflators:
    """Read a deflator table: ``year,index`` rows and a ``# source: ...`` line (anywhere, usually first).

    A ``source`` column is accepted instead of the comment line. Raises ValueError naming the line.
    """
    source = ""
    index: dict[int, float] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file") from None
    header_seen = False
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        if text.startswith("#"):
            comment = text.lstrip("#").strip()
            if comment.lower().startswith("source"):
                source = comment.split(":", 1)[1].strip() if ":" in comment else comment
            continue
        cells = [cell.strip().strip('"') for cell in text.split(",")]
        if not header_seen:
            if [cell.lower() for cell in cells[:2]] != ["year", "index"]:
                raise ValueError(f"{path}: line {number}: the header must be 'year,index'")
            header_seen = True
            has_source = len(cells) > 2 and cells[2].lower() == "source"
            continue
        try:
            year, value = int(cells[0]), float(cells[1])
        except (ValueError, IndexError):
            raise ValueError(f"{path}: line {number}: expected a year and an index, e.g. 2024,121.3") from None
        if year in index:
            raise ValueError(f"{path}: line {number}: year {year} appears twice")
        index[year] = value
        if has_source and len(cells) > 2 and cells[2] and not source:
            source = cells[2]
    if not index:
        raise ValueError(f"{path}: no year,index rows")
    if not source:
        raise ValueError(f"{path}: say where the index comes from in a '# source: ...' line")
    return Deflators(index, source)


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisConfig:
    """Every setting `analysis.run` uses; the defaults are the published values named in the module.

    Parameters
    ----------
    disclosure_threshold
        Groups with fewer respondents than this have their statistics blanked (``suppressed`` = 1).
        Default 10 (issue 4, part 3).
    alpha
        Two-sided significance level; confidence intervals are ``1 - alpha`` (default 95%), and the
        evidence grades use it: clear = Benjamini-Hochberg adjusted p below alpha, suggestive =
        unadjusted p below alpha but not clear (valuation.md fixes no threshold of its own).
    norm_men, norm_women, norm_source
        Reference WEMWBS means. Default Health Survey for England 2016 (men 50.1, women 49.6).
        A respondent whose gender is "in another way" or not given is compared with the mean of
        the two (the project's own choice: no published norm exists for that group).
    swemwbs_norm_men, swemwbs_norm_women, swemwbs_norm_source
        The same for SWEMWBS (metric score), used when a survey asked only the short form.
        Default Health Survey for England 2010-2013 (Ng Fat et al. 2017: men 23.7, women 23.2).
    wellby_low, wellby_central, wellby_high
        Pounds per WELLBY in `WELLBY_PRICE_YEAR` (2019) prices; HM Treasury 2021 values.
    ls_per_wemwbs, ls_per_swemwbs
        Life-satisfaction points per WEMWBS / SWEMWBS point (WellWorth, citing Mukuria et al. 2016).
    price_year, deflator, deflators
        Price year of the money values. For any year other than 2019, give either ``deflator`` =
        GDP deflator of `price_year` divided by the GDP deflator of 2019 (values only), or a
        ``deflators`` table (values and costs are both expressed in `price_year`). Without a table a
        benefit-cost ratio whose cost is of another year carries a warning.
    seed, draws
        Monte Carlo of the value ranges (recorded in the provenance).
    discount_rate, cost_discount_rate
        Present values over several years: wellbeing at 1.5%, costs at 3.5% (HM Treasury).
    ls_share_needed
        An asset is valued on life satisfaction directly when that model can be estimated and
        keeps at least this share of the respondents of its WEMWBS model; otherwise WEMWBS is
        bridged (the project's own rule: with fewer, the two models describe different people).
    min_group
        An asset model needs at least this many users and this many non-users among the
        respondents in the model; otherwise the row carries a warning and blank estimates.
    """

    disclosure_threshold: int = 10
    alpha: float = 0.05
    norm_men: float = NORM_MEN
    norm_women: float = NORM_WOMEN
    norm_source: str = NORM_SOURCE
    swemwbs_norm_men: float = SWEMWBS_NORM_MEN
    swemwbs_norm_women: float = SWEMWBS_NORM_WOMEN
    swemwbs_norm_source: str = SWEMWBS_NORM_SOURCE
    wellby_low: float = WELLBY_LOW
    wellby_central: float = WELLBY_CENTRAL
    wellby_high: float = WELLBY_HIGH
    ls_per_wemwbs: float = LS_PER_WEMWBS
    ls_per_swemwbs: float = LS_PER_SWEMWBS
    price_year: int = WELLBY_PRICE_YEAR
    deflator: float | None = None
    deflators: Deflators | None = None
    min_group: int = 10
    seed: int = DEFAULT_SEED
    draws: int = DEFAULT_DRAWS
    discount_rate: float = WELLBEING_DISCOUNT_RATE
    cost_discount_rate: float = COST_DISCOUNT_RATE
    ls_share_needed: float = 0.5

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
        for name in (
            "norm_men",
            "norm_women",
            "swemwbs_norm_men",
            "swemwbs_norm_women",
            "wellby_low",
            "ls_per_wemwbs",
            "ls_per_swemwbs",
        ):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number, not {value!r}")
        if self.min_group < 2:
            raise ValueError(f"min_group must be at least 2, not {self.min_group}")
        if self.deflator is not None and (not math.isfinite(self.deflator) or self.deflator <= 0):
            raise ValueError(f"deflator must be a positive number, not {self.deflator!r}")
        if self.deflator is not None and self.deflators is not None:
            raise ValueError("give either a single deflator or a deflator table, not both")
        if self.deflators is not None and self.deflators.factor(WELLBY_PRICE_YEAR, self.price_year) is None:
            raise ValueError(
                f"the deflator table needs both {WELLBY_PRICE_YEAR} and the price year {self.price_year} "
                f"(it has {min(self.deflators.index)}-{max(self.deflators.index)})"
            )
        if self.draws < 1000:
            raise ValueError(f"draws must be at least 1,000 for stable 2.5th/97.5th percentiles, not {self.draws}")
        for name in ("discount_rate", "cost_discount_rate"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be from 0 to 1, not {getattr(self, name)!r}")
        if not 0 < self.ls_share_needed <= 1:
            raise ValueError(f"ls_share_needed must be above 0 and at most 1, not {self.ls_share_needed!r}")
        if self.price_year != WELLBY_PRICE_YEAR and self.deflator is None and self.deflators is None:
            raise ValueError(
                f"price_year {self.price_year} needs a deflator: the GDP deflator of {self.price_year} "
                f"divided by that of {WELLBY_PRICE_YEAR} (WELLBY values are in {WELLBY_PRICE_YEAR} prices)"
            )

    @property
    def price_factor(self) -> float:
        """Multiplier from 2019 prices to `price_year` prices (1.0 for 2019 without a deflator)."""
        if self.deflators is not None:
            return float(self.deflators.factor(WELLBY_PRICE_YEAR, self.price_year) or 1.0)
        return 1.0 if self.deflator is None else float(self.deflator)

    def cost_factor(self, cost_year: int | None) -> float | None:
        """Multiplier from `cost_year` prices to `price_year` prices; None when it is not known.

        Known when the cost is already in the price year, or a deflator table covers its year.
        """
        if cost_year is None:
            return None
        if cost_year == self.price_year:
            return 1.0
        return None if self.deflators is None else self.deflators.factor(cost_year, self.price_year)

    @property
    def confidence(self) -> float:
        """Confidence level of every interval, e.g. 0.95."""
        return 1.0 - self.alpha
