"""Inputs: the data model, value parsers, document kinds, format readers and folder layout."""
