"""Extractors: one module per source on a shared HTTP client; they only write the landing zone."""

EXTRACTOR_VERSION = "0.1.0"
