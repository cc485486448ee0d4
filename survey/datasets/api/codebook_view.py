"""GET /api/v1/codebook: the dataset's codebook as JSON (issue 13, point 6).

The rows are what the export's codebook builder (`survey.datasets.codebooks.export_codebook`)
returns for the chosen campaigns' columns -- every column it has, so whatever it learns to say
(missing-data codes, question stems) appears here too -- with each coded variable's value labels
as a mapping, the instrument versions each campaign froze when it opened, and the definitions'
current versions.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

import instruments
from analysis.cells import DatasetError
from survey.blueprints import api as bp
from survey.datasets.api.errors import fail
from survey.datasets.api.params import known_slug
from survey.datasets.api.views import _logged
from survey.datasets.codebooks import export_codebook, value_labels
from survey.datasets.reader import DatasetReader
from survey.extensions import db
from survey.models import Campaign, Community


def codebook_payload(reader: DatasetReader) -> dict[str, Any]:
    """The codebook of the reader's columns: variables, value labels, instrument versions."""
    book = export_codebook(reader.assets, reader.columns, "csv")
    labels = value_labels(reader.columns, reader.assets)
    variables = []
    for row in book.to_dict("records"):
        entry = {str(key): "" if value is None else str(value) for key, value in row.items()}
        coded = labels.get(entry["variable"]) if entry["file"] == "responses.csv" else None
        variables.append(
            {**entry, "value_labels": None if coded is None else {str(code): text for code, text in coded.items()}}
        )
    return {
        "variables": variables,
        "instrument_versions": reader.instrument_versions,
        "definition_versions": {key: item.version for key, item in sorted(instruments.catalogue().items())},
    }


@bp.get("/codebook")
def codebook() -> Response:
    campaign = known_slug(request.args, "campaign", Campaign)
    community = known_slug(request.args, "community", Community)
    try:
        with DatasetReader(
            db.engine,
            campaigns=[campaign] if campaign else None,
            communities=[community] if community else None,
        ) as reader:
            payload = codebook_payload(reader)
    except DatasetError as error:  # a practice campaign asked for by name
        fail(400, str(error))
    filters = {"campaign": campaign, "community": community}
    return _logged("codebook", payload, filters, len(payload["variables"]))
