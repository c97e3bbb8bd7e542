"""Checkpoints: the places on a round, found by their QR/NFC code."""
