"""Research data out and in: the dataset reader, exports, response imports, reports, the API reads,
the data access log and licences.

For a notebook, with no app running::

    from survey.datasets import build_dataset
    dataset = build_dataset("sqlite:///instance/survey.sqlite3")   # an analysis.Dataset
"""

from typing import TYPE_CHECKING, Any

from survey.datasets.reader import DatasetReader, build_dataset

if TYPE_CHECKING:
    from survey.datasets.report_build import report_from_database

__all__ = ["DatasetReader", "build_dataset", "report_from_database"]


def __getattr__(name: str) -> Any:
    # The report needs the models (statsmodels, scipy: ~80 MB); an export reading this package must
    # not pay for them (the streamed export stays under 300 MB: bench/bench_export.py).
    if name == "report_from_database":
        from survey.datasets import report_build

        return report_build.report_from_database
    raise AttributeError(f"module 'survey.datasets' has no attribute {name!r}")
