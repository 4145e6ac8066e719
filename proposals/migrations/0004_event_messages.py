"""Status history in the reader's language: ProposalEvent.message and .params.

The notes the portal wrote before were stored in the language of the moment
(English or Simplified Chinese). The known ones are coded here, their note set to
the English wording; any other note (a person's words) stays as it was. The
wordings below are frozen copies of those of the time, in both languages.
"""

import re

from django.db import migrations, models

OUTCOMES = {
    "Selected": "selected",
    "入选": "selected",
    "Conditionally selected": "conditionally_selected",
    "有条件入选": "conditionally_selected",
    "Not selected": "not_selected",
    "未入选": "not_selected",
}
ENGLISH_OUTCOMES = {
    "selected": "Selected",
    "conditionally_selected": "Conditionally selected",
    "not_selected": "Not selected",
}


def _version(match):
    return "version_submitted", {"number": int(match.group(1))}


def _decision(match):
    outcome = OUTCOMES.get(match.group(1))
    return ("decision_released", {"outcome": outcome}) if outcome else None


PATTERNS = [
    (re.compile(r"^Version (\d+) submitted\.$"), _version),
    (re.compile(r"^第 ?(\d+) ?版已提交。$"), _version),
    (
        re.compile(r"^(?:Review started\.|评审已开始。)$"),
        lambda _m: ("review_started", {}),
    ),
    (re.compile(r"^Decision released: (.+)\.$"), _decision),
    (re.compile(r"^遴选决定已发布：(.+)。$"), _decision),
    (
        re.compile(r"^(?:Letter of intent shortlisted\.|意向书已入围。)$"),
        lambda _m: ("letter_shortlisted", {}),
    ),
]


def english(message, params):
    if message == "version_submitted":
        return f"Version {params['number']} submitted."
    if message == "review_started":
        return "Review started."
    if message == "decision_released":
        return f"Decision released: {ENGLISH_OUTCOMES[params['outcome']]}."
    return "Letter of intent shortlisted."


def code_known_notes(apps, schema_editor):
    ProposalEvent = apps.get_model("proposals", "ProposalEvent")
    coded = []
    for event in ProposalEvent.objects.exclude(note="").only("pk", "note").iterator():
        for pattern, read in PATTERNS:
            match = pattern.match(event.note.strip())
            found = read(match) if match else None
            if found:
                event.message, event.params = found
                event.note = english(*found)
                coded.append(event)
                break
    ProposalEvent.objects.bulk_update(
        coded, ["message", "params", "note"], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0003_section_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposalevent",
            name="message",
            field=models.CharField(
                blank=True,
                choices=[
                    ("version_submitted", "version submitted"),
                    ("review_started", "review started"),
                    ("decision_released", "decision released"),
                    ("letter_shortlisted", "letter of intent shortlisted"),
                ],
                max_length=32,
                verbose_name="message",
            ),
        ),
        migrations.AddField(
            model_name="proposalevent",
            name="params",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="message details"
            ),
        ),
        # Backwards the notes stay in English and the codes go with their columns.
        migrations.RunPython(code_known_notes, migrations.RunPython.noop),
    ]
