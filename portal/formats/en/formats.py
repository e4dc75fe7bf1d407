# The console's dates (templates use |date:"DATE_FORMAT" / "DATETIME_FORMAT"), in 24-hour time.
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y H:i"
