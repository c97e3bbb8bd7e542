"""What ships with patrol: the default checklists, schedules and policy (``checklists/`` of a
checkout, packaged as ``api/defaults/checklists`` in the wheel), read with importlib.resources."""
