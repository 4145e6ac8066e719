"""The portal's standard milestone and agreement names read in the reader's
language; other names as written."""

from django.utils import translation

from payloads.names import standard_name


def test_standard_names_are_translated_and_others_kept():
    with translation.override("zh-hans"):
        pdr = standard_name("Preliminary design review")
        licence = standard_name("Export licence")
        own = standard_name("Thermal vacuum test at ESTEC")

    assert pdr != "Preliminary design review"
    assert licence != "Export licence"
    assert own == "Thermal vacuum test at ESTEC"
    with translation.override("en"):
        assert standard_name("Preliminary design review") == (
            "Preliminary design review"
        )
    assert standard_name("") == ""
    assert standard_name(None) == ""
