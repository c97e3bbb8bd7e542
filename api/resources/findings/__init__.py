"""Findings: failed items and ad-hoc reports."""
