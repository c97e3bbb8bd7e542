"""Zones (片区) and their responsible staff per trade."""
