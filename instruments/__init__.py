"""Survey instruments as data (WEMWBS, SWEMWBS, six ways, asset use, demographics), with scoring.

Imports nothing from Flask: the web app, the CLI and analysis code all use these functions.
"""

from instruments.loader import (
    InstrumentDefinitionError,
    catalogue,
    get,
    instrument_from_dict,
    load_definition,
)
from instruments.model import Instrument, Item, Licence, MissingPolicy, Option, ScoringRule
from instruments.scoring import score
from instruments.templates import instantiate_asset_use
from instruments.validation import CodeError, CodeErrorList, validate_codes

__all__ = [
    "CodeError",
    "CodeErrorList",
    "Instrument",
    "InstrumentDefinitionError",
    "Item",
    "Licence",
    "MissingPolicy",
    "Option",
    "ScoringRule",
    "catalogue",
    "get",
    "instantiate_asset_use",
    "instrument_from_dict",
    "load_definition",
    "score",
    "validate_codes",
]
