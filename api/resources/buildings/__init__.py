"""Buildings (楼栋) and their zone."""
