"""The pipeline's core: configuration, the `irm` command, warehouse loading and publication."""
