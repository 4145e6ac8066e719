"""Seed data of the payloads app: the real calls' public selection lists, and
demonstration payloads in every state.

`public.seed_selection_lists(report=...)` is called by the `seed_catalogue` command
after the catalogue: for the real Chang'E-6 and Chang'E-7 calls (catalogue.seed
.calls), their required agreements, their milestone template where
DOMAIN-FACTS gives the dates, and their published list of selected payloads.
Entries are found again by (list, order), templates by (call, order): a second
run writes nothing. The lists name only what DOMAIN-FACTS names; a lead
institution it does not give is the country or agency it states, a payload
name it does not give is said to be missing, never guessed.

`demo.seed_demo_payloads()` is a step of catalogue.seed.demo.DEMO_STEPS, run after
the proposals and the review. Through the services, as the people concerned
would, it plays what demo_specs.py says into two decided demonstration calls:

- "after selection" (Chang'E-7-class, dates following today): researcher1's
  conditionally selected payload (one condition answered with a PDF, one open
  and past its due date); researcher2's selected payload, researcher1 its
  co-investigator (agreements draft, under negotiation and signed; milestones
  done, slipped and late; a qualification model delivered over its mass
  allocation, awaiting acceptance); researcher3's payload, de-selected after
  its condition was returned;
- "flown" (Chang'E-6-class, the real mission's launch on 3 May 2024 and
  landing on 2 June 2024): researcher1's payload with every milestone done,
  its flight model accepted and its first data handed over.

A call that exists already is left as it is (the demonstration accounts may
have moved its payloads since): running the seed again creates nothing twice.
The few writes that go past the services are marked "direct:" below.
"""

from payloads.seed.public import seed_selection_lists

__all__ = ["seed_selection_lists"]
