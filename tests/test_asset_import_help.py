"""The asset import page names the columns the import really requires, and the optional ones."""

from __future__ import annotations

import io
import re

from tests.test_research_support import page_token, sign_in

IMPORT = "/research/communities/dover-town/assets/import"


def test_a_file_with_just_the_columns_the_page_requires_is_accepted(client, make_campaign, make_user, login):
    # The page listed cost_year among the required columns and left out the optional map columns
    # (latitude, longitude, postcode) and question_phrase that the download has.
    make_campaign("dover-town")
    sign_in(make_user, login)
    page = client.get(IMPORT).get_data(as_text=True)
    required, optional = re.findall(r'<code class="app-code">([a-z_,]+)</code>', page)[:2]
    assert "cost_year" not in required.split(",") and {"latitude", "postcode", "cost_year"} <= set(optional.split(","))
    row = {"slug": "dover_pier", "name": "Dover pier", "kind": "place", "retired": "no"}
    body = required + "\n" + ",".join(row.get(column, "") for column in required.split(",")) + "\n"
    checked = client.post(
        IMPORT,
        data={"csrf_token": page_token(client, IMPORT), "file": (io.BytesIO(body.encode()), "assets.csv")},
        content_type="multipart/form-data",
    )
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200, html
    assert "missing from the header" not in html and 'name="content"' in html  # offered for import


def test_a_file_separated_by_semicolons_is_named_as_such(client, make_campaign, make_user, login):
    # A European Excel saves "CSV" with semicolons: the page listed every column as missing and one unknown.
    make_campaign("dover-town")
    sign_in(make_user, login)
    body = "slug;name;kind;description;location;annual_cost;sixways_dimensions;retired\ndover_pier;Pier;place;;;;;no\n"
    checked = client.post(
        IMPORT,
        data={"csrf_token": page_token(client, IMPORT), "file": (io.BytesIO(body.encode()), "assets.csv")},
        content_type="multipart/form-data",
    )
    html = checked.get_data(as_text=True)
    assert checked.status_code == 422
    assert "The columns are separated by semicolons or tabs, not commas." in html
    assert "missing from the header" not in html and "Unknown column" not in html
