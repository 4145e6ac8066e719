"""Simplified Chinese, as the `beijing` filter writes it:
北京时间 2026年8月31日 23:59（UTC+8）."""

# Django's date syntax; a backslash makes a letter literal.
DATETIME_FORMAT = r"北京时间 Y年n月j日 H:i（\U\T\C+8）"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
