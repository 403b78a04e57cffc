"""Validation of the product's statistics by simulation (not part of the default test run)."""
