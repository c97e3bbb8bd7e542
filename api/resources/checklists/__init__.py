"""Checklists and their immutable versions."""
