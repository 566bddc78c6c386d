"""One expectation for a table's column types: `expect_table_column_types_to_be`
(contract.COLUMN_TYPES; GX names an expectation after its class).

GX checks one column's type per `expect_column_type_to_be`, and a mart suite had 291 of them
(of 653 expectations): GX's bookkeeping per expectation (building its configuration, metric
graph, result, store entry and Data Docs row) made them about a sixth of a mart validation,
though they all read one metric, `table.column_types`. This expectation reads that metric once
and compares every column the contract names with its kind's dtype (contract.KIND_DTYPES, after
frames.py's normalization), so a VARCHAR where an integer belongs still fails, naming the
column, the type found and the type wanted.

A column missing from the frame is not this check's finding: `expect_table_columns_to_match_set`
names it (the suite's first check).

Imported by runner.import_gx only (defining the class imports Great Expectations); GX registers
it by its class name when the module is imported.
"""

from __future__ import annotations

from typing import Any, ClassVar

from great_expectations.compatibility import pydantic
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.render import RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer


class ExpectTableColumnTypesToBe(BatchExpectation):
    """Every named column has its dtype: `column_types` maps each column to a pandas dtype name
    (`str(dtype)`, as contract.KIND_DTYPES writes them)."""

    column_types: dict[str, str] = pydantic.Field(
        description="Each column's expected pandas dtype, by column name."
    )

    metric_dependencies = ("table.column_types",)
    success_keys = ("column_types",)
    domain_keys = ("batch_id",)
    args_keys = ("column_types",)

    library_metadata: ClassVar[dict[str, Any]] = {
        "maturity": "production",
        "tags": ["table expectation", "schema"],
        "contributors": ["irm"],
        "requirements": [],
    }

    def _validate(
        self,
        metrics: dict[str, Any],
        runtime_configuration: dict[str, Any] | None = None,
        execution_engine: Any = None,
    ) -> dict[str, Any]:
        found = {str(c["name"]): str(c["type"]) for c in metrics["table.column_types"]}
        expected: dict[str, str] = self._get_success_kwarg("column_types")
        wrong = {
            column: {"found": found[column], "expected": dtype}
            for column, dtype in expected.items()
            if column in found and found[column] != dtype
        }
        return {"success": not wrong, "result": {"observed_value": wrong or "as expected"}}

    @classmethod
    @renderer(renderer_type="renderer.prescriptive")
    def _prescriptive_renderer(
        cls, configuration: Any = None, result: Any = None, runtime_configuration: Any = None
    ) -> list[RenderedStringTemplateContent]:
        # Data Docs: one line naming every column's type, as the per-column checks did.
        types = (configuration.kwargs if configuration else {}).get("column_types") or {}
        listed = ", ".join(f"{column}: {dtype}" for column, dtype in types.items())
        return [
            RenderedStringTemplateContent(
                content_block_type="string_template",
                string_template={
                    "template": "Columns have these types: $types.",
                    "params": {"types": listed},
                    "styling": (runtime_configuration or {}).get("styling", {}),
                },
            )
        ]
