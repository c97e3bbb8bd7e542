"""The day's scheduled tasks: due, done or missed."""
