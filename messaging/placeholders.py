"""The placeholders a message to proposers may use, and how they are filled.

A placeholder is a name in braces, `{name}`; a brace itself is written twice,
`{{` or `}}`. Only PLACEHOLDERS are known: anything else in braces (another
name, an attribute, an index, a format) is refused with the offending text, so
a mistyped placeholder never reaches a proposer as it was typed.
"""

from string import Formatter

from django.utils.translation import gettext as _

from config.refusals import Refused

PLACEHOLDERS = ("name", "title", "reference", "deadline")
_formatter = Formatter()


def _known_list() -> str:
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def problems(text: str) -> list[str]:
    """Every reason `text` cannot be filled, as sentences; empty when it can."""
    try:
        parts = list(_formatter.parse(text))
    except ValueError:
        return [
            _(
                "A brace is unmatched. Placeholders are written %(known)s; "
                "write {{ or }} for a brace itself."
            )
            % {"known": _known_list()}
        ]
    found = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        written = "{" + field + (f"!{conversion}" if conversion else "")
        written += (f":{spec}" if spec else "") + "}"
        if field not in PLACEHOLDERS or spec or conversion:
            sentence = _("Unknown placeholder %(written)s: use %(known)s.") % {
                "written": written,
                "known": _known_list(),
            }
            if sentence not in found:
                found.append(sentence)
    return found


class PlaceholderRefused(Refused):
    """A message whose text holds an unknown placeholder or an open brace."""


def check(texts: dict[str, str]) -> None:
    """Refuse, naming the field, when any of `texts` (label → text) cannot be
    filled."""
    messages = [
        f"{label}: {problem}"
        for label, text in texts.items()
        for problem in problems(text)
    ]
    if messages:
        raise PlaceholderRefused(messages)


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each placeholder replaced; call only on text `problems`
    accepts."""
    return _formatter.vformat(text, (), values)
