"""Outputs: the report model and the reporters (one plugin per format)."""
