"""Excel import and export of the organisation (sites, zones, buildings, units, staff, checkpoints, schedules)."""
