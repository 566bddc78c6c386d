"""Extractors: one package per source (its `SPEC`: extractors/spec.py), listed in one registry
(extractors/registry.py), on a shared HTTP client; they only write the landing zone."""

EXTRACTOR_VERSION = "0.1.0"
