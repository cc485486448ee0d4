"""The paradata the dataset reader adds to each response (issue 13; the columns: `analysis.paradata`).

Interviewer and keyers appear as their stored pseudonym (`User.staff_code`), never a name or an
email: an interview's `entered_by` is its interviewer, a paper form's is its first keyer, and the
second keyer is the person who made entry 2 of a double-entered form. The mapping from codes to
staff is shown to administrators only (`survey.datasets.staff_codes`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, Table, case, select

from survey.datasets.tables import _campaign, _response
from survey.models import PaperEntry, PaperForm, User

_user: Table = User.__table__  # type: ignore[assignment]
_paper_form: Table = PaperForm.__table__  # type: ignore[assignment]
_paper_entry: Table = PaperEntry.__table__  # type: ignore[assignment]
_entered_by = _user.alias("entered_by")
_second_keyer = _user.alias("second_keyer_account")


def paradata_columns() -> list[ColumnElement[Any]]:
    """The stored paradata, for `responses_select` (which must join `with_paradata_joins`)."""
    second = (
        select(_second_keyer.c.staff_code)
        .select_from(_paper_entry)
        .join(_paper_form, _paper_form.c.id == _paper_entry.c.form_id)
        .join(_second_keyer, _second_keyer.c.id == _paper_entry.c.entered_by_id)
        .where(_paper_form.c.response_id == _response.c.id, _paper_entry.c.entry_number == 2)
        .scalar_subquery()
    )
    return [
        _response.c.status,
        _response.c.started_at,
        _response.c.pages_saved,
        _response.c.resumed,
        _campaign.c.wave,
        case((_response.c.mode == "interview", _entered_by.c.staff_code)).label("interviewer"),
        case((_response.c.mode == "paper", _entered_by.c.staff_code)).label("keyer"),
        second.label("second_keyer"),
    ]


def with_paradata_joins(statement: Select[Any]) -> Select[Any]:
    """Join the account that entered each response (none for residents online)."""
    return statement.outerjoin(_entered_by, _entered_by.c.id == _response.c.entered_by_id)


def paradata_values(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The paradata columns of the queried responses, with the duration worked out."""
    started = pd.to_datetime(frame["started_at"], utc=True, format="ISO8601")
    submitted = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    # A paper form's response is made when its keying is saved, so its times say nothing of the respondent.
    seconds = (submitted - started).dt.total_seconds().round().where(frame["mode"] != "paper")
    # PostgreSQL gives booleans, SQLite 0/1; NULL stays missing.
    resumed = pd.to_numeric(
        frame["resumed"].map(lambda value: None if value is None or pd.isna(value) else int(bool(value)))
    )
    return {
        "status": frame["status"].astype(str),
        "started_at": started.dt.floor("s"),  # files carry whole seconds, as submitted_at
        "duration_seconds": seconds.astype("Int64"),
        "pages_saved": pd.to_numeric(frame["pages_saved"]).astype("Int64"),
        "resumed": resumed.astype("Int64"),
        "wave": pd.to_numeric(frame["wave"]).astype("Int64"),
        "interviewer": frame["interviewer"].astype(object),
        "keyer": frame["keyer"].astype(object),
        "second_keyer": frame["second_keyer"].astype(object),
    }
