"""Date formats per language (settings.FORMAT_MODULE_PATH), over Django's own.

Every moment Django renders by itself (the admin's changelist columns, read-only
fields and history pages, `{{ moment }}` in a template) reads as
`catalogue.templatetags.catalogue_tags.beijing` writes it: "31 Aug 2026, 23:59
Beijing time (UTC+8)", "北京时间 2026年8月31日 23:59（UTC+8）". Django converts
a moment to the current time zone before formatting it, and that zone is
settings.TIME_ZONE, Beijing's (nothing activates another): so the zone written
here is the true one. tests/test_formats.py holds the two in step.
"""
