"""The score command's two CSV readers agree: pandas' fast reader either reads a file exactly as the
csv module does or declines it (then the csv module reads it)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instruments.cli import CliError, read_with_csv_module, read_with_pandas

# The characters that make CSV hard: separators, quotes, both line ends, spaces, tabs, NUL, non-ASCII.
CSV_TEXT = st.text(alphabet=st.sampled_from(list('ab1,"\r\n \t\x00é')), max_size=60)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=CSV_TEXT, bom=st.booleans())
def test_the_fast_reader_reads_as_the_csv_module_or_declines(tmp_path: Path, text: str, bom: bool) -> None:
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    fast = read_with_pandas(data)
    try:
        reference = read_with_csv_module(path)
    except CliError:
        assert fast is None, "pandas read a file the csv module refuses"
        return
    if fast is None:
        return
    table, header = fast
    assert header == reference[1]
    pd.testing.assert_frame_equal(table, reference[0])


def test_an_ordinary_file_takes_the_fast_reader() -> None:
    # Guards the speed-up: the fast path must not decline everyday files.
    fast = read_with_pandas(b"id,wemwbs_1\r\nr1,5\r\n\r\nr2,\r\n")
    assert fast is not None
    assert fast[0].to_dict("records") == [{"id": "r1", "wemwbs_1": "5"}, {"id": "r2", "wemwbs_1": ""}]


@pytest.mark.parametrize("data", [b"a,b\n  \n1,2\n", b"a,b\n1,2,3\n", b"a,b\n1\x00,2\n", b"a,b\n\xff,1\n"])
def test_files_where_the_readers_differ_go_to_the_csv_module(data: bytes) -> None:
    assert read_with_pandas(data) is None
