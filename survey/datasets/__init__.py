"""Research data out and in: the dataset reader, exports, response imports, reports, the API reads,
the data access log and licences.

For a notebook, with no app running::

    from survey.datasets import build_dataset
    dataset = build_dataset("sqlite:///instance/survey.sqlite3")   # an analysis.Dataset
"""

from survey.datasets.reader import DatasetReader, build_dataset
from survey.datasets.report_build import report_from_database

__all__ = ["DatasetReader", "build_dataset", "report_from_database"]
