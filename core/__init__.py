"""The bottom floor: settings (`core.config`), the landing zone's layout (`core.landing`),
opening the warehouse (`core.db`) and the one error every floor shares (`core.errors`).

Every other package may import it; it imports nothing of the pipeline (docs/architecture.md,
enforced by `make lint`)."""
