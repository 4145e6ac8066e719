"""English: day month year and a 24-hour clock, as the `beijing` filter writes."""

# Django's date syntax; a backslash makes a letter literal.
DATETIME_FORMAT = r"j M Y, H:i \B\e\i\j\i\n\g \t\i\m\e (\U\T\C+8)"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
