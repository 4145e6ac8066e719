"""Seed data: the real catalogue (missions, contacts, past calls, cooperation
tables) and the demonstration data (accounts and open calls).

- `seed_catalogue()`: loading.py, from missions.py, calls.py and tables.py;
- `seed_demo()`: demo.py, running the steps listed in `DEMO_STEPS`.
"""

from catalogue.seed.demo import (
    DEMO_PASSWORD,
    DEMO_STEPS,
    DEMO_TOTP_SECRET,
    DemoSeedNotAllowed,
    seed_demo,
)
from catalogue.seed.loading import seed_catalogue

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_STEPS",
    "DEMO_TOTP_SECRET",
    "DemoSeedNotAllowed",
    "seed_catalogue",
    "seed_demo",
]
