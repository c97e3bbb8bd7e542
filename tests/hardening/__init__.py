"""Hardening: nothing lost, nobody where they do not belong."""
