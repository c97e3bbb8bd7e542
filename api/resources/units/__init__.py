"""Units (房号) of buildings."""
