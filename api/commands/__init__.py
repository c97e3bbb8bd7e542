"""Sub-command groups of the ``patrol`` CLI, one module each (``command`` in each)."""
