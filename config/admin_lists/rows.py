"""A changelist's rows written in one pass (`RowWriter`), the same markup as
Django's `items_for_result` writes cell by cell, and the row checkbox."""

import datetime
from operator import attrgetter

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def checkbox(obj, label: str) -> str:
    """Django's row checkbox (`ModelAdmin.action_checkbox`), `label` its
    translated "Select this object for an action - {}"."""
    return mark_safe(  # noqa: S308 — the key and the name escaped
        f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" '
        f'value="{escape(obj.pk)}" class="action-select" '
        f'aria-label="{label.format(escape(str(obj)))}">'
    )


def action_checkbox(model_admin, obj) -> str:
    """Django's row checkbox, the same markup, written directly: Django
    renders a CheckboxInput through the form template engine for every row,
    a fifth of a 100-row page's time. `LeanChangeListMixin.action_checkbox`;
    here, so that `_Column` knows it without importing the mixin."""
    return checkbox(obj, _("Select this object for an action - {}"))


# Stands for a row's key in its change page's URL, built once for the page.
PK_MARK = "9lean0pk9"


def _column_class(name, index: int) -> str:
    """Django's cell class (admin_list._coerce_field_name)."""
    if callable(name):
        name = "lambda" + str(index) if name.__name__ == "<lambda>" else name.__name__
    return f"field-{name}"


def _blank_to_empty(value):
    """Django shows a string of spaces as the empty value."""
    return "" if isinstance(value, str) and value.strip() == "" else value


class _Column:
    """One column of a changelist's rows, as Django's `items_for_result` writes
    it, with what is the same on every row worked out once: how the value is
    read (a field, a callable, a model admin's method), the cell's class,
    whether it links to the row's page, a choice field's labels (Django looks
    them up, translated, for every cell), the empty value.

    `cell(obj)` gives the cell's escaped content and class."""

    def __init__(self, cl, index: int, name, *, link: bool, heading: bool):
        model_admin = cl.model_admin
        self.name = name
        self.link = link
        self.tag = "th" if heading else "td"
        self.model_admin = model_admin
        self.base_class = self.classes = _column_class(name, index)
        self.empty = self.page_empty = model_admin.get_empty_value_display()
        try:
            field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName, TypeError):
            self._not_a_field(name)
        else:
            self._a_field(field)

    def _not_a_field(self, name) -> None:
        if callable(name):
            attr = name
        elif hasattr(self.model_admin, name) and name != "__str__":
            attr = getattr(self.model_admin, name)
        else:
            # A model's attribute, property or related lookup: Django's own way.
            self.write = self._looked_up
            return
        self.read = attr
        self.empty = getattr(attr, "empty_value_display", self.empty)
        self.boolean = getattr(attr, "boolean", False)
        if name == "action_checkbox":
            self.classes = "action-checkbox"
        if getattr(attr, "__func__", None) is action_checkbox:
            # Its label translated once for the page, not once a row.
            self.label = _("Select this object for an action - {}")
            self.write = self._checkbox
        else:
            self.write = self._value

    def _a_field(self, field) -> None:
        self.field = field
        if field.auto_created:  # the automatic primary key: a plain value
            self.read = attrgetter(self.name)
            self.boolean = False
            self.write = self._value
            return
        if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
            self.classes += " nowrap"
        self.write = self._field
        if isinstance(field.remote_field, models.ManyToOneRel):
            self.write = self._related
        elif getattr(field, "flatchoices", None):
            try:
                labels = dict(field.flatchoices)
            except TypeError:
                return
            self.choices = {
                value: conditional_escape(label) for value, label in labels.items()
            }
            self.empty = conditional_escape(self.empty)
            self.write = self._choice

    def cell(self, obj) -> tuple[str, str]:
        try:
            return self.write(obj)
        except ObjectDoesNotExist:
            return conditional_escape(self.page_empty), self.base_class

    def _checkbox(self, obj) -> tuple[str, str]:
        return checkbox(obj, self.label), self.classes

    def _value(self, obj) -> tuple[str, str]:
        """A value not read from a field (a callable's, a model admin
        method's)."""
        value = _blank_to_empty(self.read(obj))
        content = conditional_escape(display_for_value(value, self.empty, self.boolean))
        if isinstance(value, datetime.date | datetime.time):
            return content, self.classes + " nowrap"
        return content, self.classes

    def _related(self, obj) -> tuple[str, str]:
        related = getattr(obj, self.field.name)
        return conditional_escape(self.empty if related is None else related), (
            self.classes
        )

    def _choice(self, obj) -> tuple[str, str]:
        value = _blank_to_empty(getattr(obj, self.name))
        return self.choices.get(value, self.empty), self.classes

    def _field(self, obj) -> tuple[str, str]:
        value = _blank_to_empty(getattr(obj, self.name))
        content = display_for_field(value, self.field, self.empty, avoid_link=self.link)
        return conditional_escape(content), self.classes

    def _looked_up(self, obj) -> tuple[str, str]:
        """Django's own way for a model's attribute, property or related
        lookup (`items_for_result`)."""
        field, attr, value = lookup_field(self.name, obj, self.model_admin)
        empty = getattr(attr, "empty_value_display", self.page_empty)
        value = _blank_to_empty(value)
        if field is None or field.auto_created:
            classes = (
                "action-checkbox" if self.name == "action_checkbox" else self.base_class
            )
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            content = display_for_value(value, empty, boolean)
            if isinstance(value, datetime.date | datetime.time):
                classes += " nowrap"
            return conditional_escape(content), classes
        if isinstance(field.remote_field, models.ManyToOneRel):
            related = getattr(obj, field.name)
            content = empty if related is None else related
        else:
            content = display_for_field(value, field, empty, avoid_link=self.link)
        classes = self.base_class
        if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
            classes += " nowrap"
        return conditional_escape(content), classes


class RowWriter:
    """A changelist's rows in one pass, the markup of Django's
    `items_for_result` to the byte: Django works out each cell's field, class,
    link and empty value again for every row, and reverses the change page's
    URL for each; here that is done once per page, and each row's URL is the
    page's with the row's key put in. Not for editable lists or popups (Django
    writes those)."""

    def __init__(self, cl):
        links = cl.list_display_links
        first = True
        self.columns = []
        for index, name in enumerate(cl.list_display):
            if links is None:
                link = False
            elif first and not links:
                link = True
            else:
                link = name in links
            self.columns.append(
                _Column(cl, index, name, link=link, heading=link and first)
            )
            if link:
                first = False
        self.cl = cl
        self.url = self._url_pattern()

    def _url_pattern(self):
        """(before, after) the key in an escaped change page URL with the
        list's filters preserved; None to ask Django row by row, False when
        the page has no URL (rows without links)."""
        cl = self.cl
        if type(cl).url_for_result is not ChangeList.url_for_result:
            return None
        try:  # as ChangeList.url_for_result, the key a mark
            url = reverse(
                f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
                args=(PK_MARK,),
                current_app=cl.model_admin.admin_site.name,
            )
        except NoReverseMatch:
            return False
        url = add_preserved_filters(
            {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
        )
        parts = escape(url).split(PK_MARK)
        return tuple(parts) if len(parts) == 2 else None  # noqa: PLR2004

    def _row_url(self, obj) -> str | None:
        pattern = self.url
        key = getattr(obj, self.cl.pk_attname)
        if pattern and isinstance(key, int):
            return f"{pattern[0]}{key}{pattern[1]}"
        if pattern is False:
            return None
        try:
            url = self.cl.url_for_result(obj)
        except NoReverseMatch:
            return None
        return escape(
            add_preserved_filters(
                {"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts},
                url,
            )
        )

    def row(self, obj) -> str:
        cells = []
        for column in self.columns:
            content, classes = column.cell(obj)
            if column.link:
                url = self._row_url(obj)
                if url is not None:
                    content = f'<a href="{url}">{content}</a>'
                tag = column.tag
                cells.append(f'<{tag} class="{classes}">{content}</{tag}>')
            else:
                cells.append(f'<td class="{classes}">{content}</td>')
        return mark_safe("".join(cells))  # noqa: S308 — every part escaped above
