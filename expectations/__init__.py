"""Great Expectations suites as code, the stage checkpoint runner and Data Docs.

Importing this package is cheap: Great Expectations itself is imported only when a validation
runs.

    report = validate_marts()          # all registered marts, or validate_marts(["fct_post"])
    raise_on_critical(report)          # DataQualityError naming suite, expectation and values
"""

from expectations.report import (
    DataQualityError,
    FailedExpectation,
    SuiteResult,
    ValidationReport,
    raise_on_critical,
)
from expectations.runner import validate_marts

__all__ = [
    "DataQualityError",
    "FailedExpectation",
    "SuiteResult",
    "ValidationReport",
    "raise_on_critical",
    "validate_marts",
]
