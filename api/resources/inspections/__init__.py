"""Inspections: a checkpoint walked with a checklist."""
