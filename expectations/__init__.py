"""Great Expectations suites as code, a checkpoint per stage and Data Docs.

Importing this package is cheap: Great Expectations itself is imported only when a validation
runs.

    report = validate_landing([day])   # the new landing partitions, before they are loaded
    report = validate_marts(as_of=day) # all registered marts, or validate_marts(["fct_post"])
    raise_on_critical(report)          # DataQualityError (core.errors) naming the failures
    print(report.data_docs_home)       # <data_docs_dir>/index.html, linking every stage
"""

from expectations.landing import validate_landing
from expectations.marts import validate_marts
from expectations.report import (
    FailedExpectation,
    SuiteResult,
    ValidationReport,
    raise_on_critical,
)

__all__ = [
    "FailedExpectation",
    "SuiteResult",
    "ValidationReport",
    "raise_on_critical",
    "validate_landing",
    "validate_marts",
]
