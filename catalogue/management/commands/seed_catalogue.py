from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from catalogue.seed import seed_catalogue
from payloads.seed import seed_selection_lists


class Command(BaseCommand):
    help = (
        "Load, idempotently, the missions, CNSA contacts, past calls and cooperation "
        "tables of the CNSA presentation and DOMAIN-FACTS."
    )

    def handle(self, *args, **options):
        report = seed_catalogue()
        seed_selection_lists(report=report)
        for line in report.lines():
            self.stdout.write(line)
        if report.changed:
            self.stdout.write(self.style.SUCCESS(_("Catalogue seed loaded.")))
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Catalogue seed already up to date."))
            )
