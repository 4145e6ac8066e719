"""The proposal editor's form fields, written in one pass in Python.

crispy-forms' bootstrap5 pack renders a field through several templates
(field.html, help_text_and_errors.html, field_errors_block.html, help_text.html)
and Django renders its widget through more; on the editor's two dozen fields
that was half the page's time. These tags write the same Bootstrap 5 markup:

    <div id="div_id_summary-title" class="mb-3">
      <label for="id_summary-title" class="form-label">Title</label>
      <input type="text" name="summary-title" value="…" class="textinput form-control
        is-invalid" aria-invalid="true"
        aria-describedby="id_summary-title_helptext id_summary-title_error" …>
      <div id="id_summary-title_error" class="invalid-feedback">
        <p id="error_1_id_summary-title"><strong>…</strong></p></div>
      <div id="id_summary-title_helptext" class="form-text">…</div>
    </div>

the same ids, classes and aria attributes (Django's BoundField.build_widget_attrs
still decides `required`, `aria-invalid` and `aria-describedby`). Text inputs,
text areas, selects, hidden inputs and checkbox lists are written here; any
other widget goes through crispy-forms as before.

    {% load editor_fields %}
    {% editor_form form %}       non-field errors, then every field (as |crispy)
    {% editor_errors form %}     non-field errors (as |as_crispy_errors)
    {% editor_field bound %}     one field (as |as_crispy_field)
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from proposals.widgets import LongSelect, option_rows, options_html

register = template.Library()

# The widgets written here; the rest (file, checkbox, radio, password, multiple
# widgets…) are left to crispy-forms.
_INPUTS = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput)
ASTERISK = '<span class="asteriskField">*</span>'


def _attrs(attrs: dict) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them: True alone,
    False and None left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


def _css_class(widget: forms.Widget, bootstrap: str, *, invalid: bool) -> str:
    """The class crispy-forms gives a widget: its own class (or the widget's
    name, "textinput"), then Bootstrap's, then is-invalid."""
    kind = type(widget).__name__.lower()
    names = widget.attrs.get("class", "").split()
    if kind not in " ".join(names):
        names.append(kind)
    for name in (bootstrap, "is-invalid") if invalid else (bootstrap,):
        if name not in names:
            names.append(name)
    return " ".join(names)


def _widget_attrs(field: forms.BoundField, extra: dict) -> dict:
    """The widget's attributes as BoundField.as_widget builds them: its own,
    `extra`, required / aria-invalid / aria-describedby, then the id."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({**widget.attrs, **extra}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return attrs


def _input(field: forms.BoundField, attrs: dict) -> str:
    widget = field.field.widget
    value = widget.format_value(field.value())
    shown = "" if value is None else f' value="{escape(value)}"'
    return (
        f'<input type="{widget.input_type}" name="{field.html_name}"'
        f"{shown}{_attrs(attrs)}>"
    )


def _textarea(field: forms.BoundField, attrs: dict) -> str:
    value = field.field.widget.format_value(field.value())
    return (
        f'<textarea name="{field.html_name}"{_attrs(attrs)}>\n'
        f"{escape(value) if value else ''}</textarea>"
    )


def _select(field: forms.BoundField, attrs: dict) -> str:
    widget = field.field.widget
    if isinstance(widget, LongSelect):
        rows = widget.option_rows()  # written once per language
    else:
        # Not list(): it would ask a ModelChoiceIterator for its len(), a query.
        choices = [choice for choice in widget.choices]  # noqa: C416
        if any(isinstance(label, list | tuple) for _, label in choices):
            # Option groups: Django writes them.
            return widget.render(
                field.html_name, field.value(), attrs, field.form.renderer
            )
        rows = option_rows(choices)
    chosen = set(widget.format_value(field.value()))
    multiple = widget.allow_multiple_selected
    if multiple:
        attrs = {**attrs, "multiple": True}
    options = options_html(rows, chosen, multiple=multiple)
    return f'<select name="{field.html_name}"{_attrs(attrs)}>{options}\n</select>'


def _label(field: forms.BoundField, *, tag: str = "label", extra: str = "") -> str:
    label = conditional_escape(field.label)  # a lazy label translated once
    if not label:
        return ""
    required = field.field.required
    target = field.id_for_label
    opening = f'<{tag} for="{target}"' if target else f"<{tag}"
    return (
        f'{opening} class="form-label{" requiredField" if required else ""}{extra}">'
        f"{label}{ASTERISK if required else ''}</{tag}>"
    )


def _errors(field: forms.BoundField) -> str:
    errors = field.errors
    if not errors:
        return ""
    messages = "".join(
        f'<p id="error_{number}_{field.auto_id}"><strong>{conditional_escape(message)}'
        "</strong></p>"
        for number, message in enumerate(errors, start=1)
    )
    return f'<div id="{field.auto_id}_error" class="invalid-feedback">{messages}</div>'


def _help(field: forms.BoundField) -> str:
    # Help texts are written by us, and may hold markup (as crispy's |safe).
    help_text = str(field.help_text)  # a lazy text translated once
    if not help_text:
        return ""
    ident = f'id="{field.auto_id}_helptext" ' if field.auto_id else ""
    return f'<div {ident}class="form-text">{help_text}</div>'


def _wrapper_class(field: forms.BoundField) -> str:
    extra = field.css_classes()
    return f"mb-3 {extra}" if extra else "mb-3"


def _checkboxes(field: forms.BoundField) -> str:
    """A CheckboxSelectMultiple as crispy's radio_checkbox_select.html: a
    fieldset, its legend, one .form-check per choice, the errors in the last."""
    widget = field.field.widget
    invalid = bool(field.errors)
    # crispy-forms' `optgroups`: the id and build_widget_attrs, on every option.
    base = field.build_widget_attrs(
        {**widget.attrs, "id": widget.attrs.get("id") or field.auto_id}
    )
    chosen = set(widget.format_value(field.value()))
    choices = [choice for choice in widget.choices]  # noqa: C416 — as in _select
    items = []
    for index, (option, label) in enumerate(choices):
        value = "" if option is None else str(option)
        attrs = {**base, "id": f"{base['id']}_{index}" if base["id"] else None}
        if value in chosen:
            attrs["checked"] = True
        errors = _errors(field) if invalid and index == len(choices) - 1 else ""
        items.append(
            '<div class="form-check">'
            f'<input type="checkbox" class="form-check-input'
            f'{" is-invalid" if invalid else ""}" name="{field.html_name}"'
            f' value="{escape(value)}"{_attrs(attrs)}>'
            f'<label for="{attrs["id"] or ""}" class="form-check-label">'
            f"{conditional_escape(label)}</label>{errors}</div>"
        )
    described = field.aria_describedby
    fieldset = (
        f'<fieldset aria-describedby="{described}">' if described else "<fieldset>"
    )
    legend = _label(field, tag="legend", extra=" fs-6")
    return (
        f'<div id="div_{field.auto_id}" class="{_wrapper_class(field)}">'
        f"{fieldset}{legend}<div>{''.join(items)}</div>{_help(field)}</fieldset></div>"
    )


def render_field(field: forms.BoundField) -> SafeString:
    """One field as crispy-forms' bootstrap5 field.html writes it."""
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput) and not isinstance(
        widget, forms.MultipleHiddenInput
    ):
        return mark_safe(_input(field, _widget_attrs(field, {})))  # noqa: S308 — escaped above
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return mark_safe(_checkboxes(field))  # noqa: S308 — escaped above
    if isinstance(widget, forms.Select):
        write, bootstrap = _select, "form-select"
    elif isinstance(widget, _INPUTS):
        write, bootstrap = _input, "form-control"
    elif isinstance(widget, forms.Textarea):
        write, bootstrap = _textarea, "form-control"
    else:
        return as_crispy_field(field)
    invalid = bool(field.errors)
    css = _css_class(widget, bootstrap, invalid=invalid)
    control = write(field, _widget_attrs(field, {"class": css}))
    return mark_safe(  # noqa: S308 — every value is escaped above
        f'<div id="div_{field.auto_id}" class="{_wrapper_class(field)}">'
        f"{_label(field)}{control}{_errors(field)}{_help(field)}</div>"
    )


@register.simple_tag
def editor_field(field: forms.BoundField) -> SafeString:
    return render_field(field)


@register.simple_tag
def editor_errors(form: forms.Form) -> SafeString:
    """The form's non-field errors, as crispy-forms' bootstrap5 errors.html."""
    errors = form.non_field_errors()
    if not errors:
        return mark_safe("")
    items = "".join(f"<li>{conditional_escape(message)}</li>" for message in errors)
    return mark_safe(  # noqa: S308 — escaped above
        '<div class="alert alert-block alert-danger">'
        f'<ul class="m-0">{items}</ul></div>'
    )


@register.simple_tag
def editor_form(form: forms.Form) -> SafeString:
    """Non-field errors then every field, as `{{ form|crispy }}`."""
    return mark_safe(  # noqa: S308 — each part is safe
        editor_errors(form) + "".join(render_field(field) for field in form)
    )
