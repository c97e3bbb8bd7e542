"""Schedules of rounds and cleaning tasks."""
