from django.core.management.base import BaseCommand, CommandError

from catalogue.seed import DemoSeedNotAllowed, seed_demo


class Command(BaseCommand):
    help = (
        "Create or update the demonstration accounts and open demonstration calls "
        "(loads the catalogue first if needed). Refused where DEMO_SEED_ALLOWED is "
        "False."
    )

    def handle(self, *args, **options):
        try:
            lines = seed_demo()
        except DemoSeedNotAllowed as refusal:
            raise CommandError(str(refusal)) from refusal
        for line in lines:
            self.stdout.write(line)
