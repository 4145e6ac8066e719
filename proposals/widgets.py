"""Form widgets of the proposal pages that Django's own would make slow."""

from typing import ClassVar

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


def option_rows(choices) -> list[tuple[str, str, str]]:
    """Plain choices (no groups) as (value, the option's markup before and
    after its `selected`), escaped as Django's select_option.html escapes them."""
    rows = []
    for option, label in choices:
        value = "" if option is None else str(option)
        rows.append(
            (
                value,
                f'\n  <option value="{escape(value)}"',
                f">{conditional_escape(label)}</option>",
            )
        )
    return rows


def options_html(rows, chosen: set[str], *, multiple: bool = False) -> str:
    """The options of `option_rows`, the chosen ones selected: without
    `multiple` only the first, as Django's Select."""
    parts = []
    selected_one = False
    for value, opening, closing in rows:
        selected = value in chosen and (multiple or not selected_one)
        selected_one |= selected
        parts.append(f"{opening} selected{closing}" if selected else opening + closing)
    return "".join(parts)


class LongSelect(forms.Select):
    """Django's Select with the same markup, its options written in Python.

    Django renders each option through the form template engine: for the
    countries (about 250) that was 20 ms of the proposal editor's 90 ms, for a
    list nobody changes. Plain options only (no groups), as a model field's
    choices give them.

    `cache_as` names a list that is the same for every form in the process (the
    countries): its options' markup is then written once per language.
    """

    _written: ClassVar[dict[tuple[str, str], list[tuple[str, str, str]]]] = {}

    def __init__(self, attrs=None, choices=(), *, cache_as: str = ""):
        super().__init__(attrs, choices)
        self.cache_as = cache_as

    def option_rows(self) -> list[tuple[str, str, str]]:
        if not self.cache_as:
            return option_rows(self.choices)
        key = (self.cache_as, get_language())
        rows = self._written.get(key)
        if rows is None:
            rows = self._written[key] = option_rows(self.choices)
        return rows

    def use_required_attribute(self, initial) -> bool:
        """As Select's (`required` when the first option is empty), from the
        options written once rather than the whole list translated again."""
        rows = self.option_rows()
        return not self.is_hidden and bool(rows) and rows[0][0] == ""

    def options_html(self, value) -> str:
        chosen = {str(item) for item in self.format_value(value)}
        return options_html(self.option_rows(), chosen)

    def render(self, name, value, attrs=None, renderer=None):
        attributes = {
            key: value
            for key, value in self.build_attrs(self.attrs, attrs).items()
            if value is not False and value is not None
        }
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            flatatt(attributes),
            # Escaped in option_rows.
            mark_safe(self.options_html(value)),  # noqa: S308
        )
