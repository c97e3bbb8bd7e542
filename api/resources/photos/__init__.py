"""Photos: upload evidence, fetch it back at three sizes."""
