"""Synthetic English children and families, for the demo, tests and benchmarks.

Nothing here describes a real person: names are drawn from public frequency tables, NHS numbers come
from the range the NHS never issues (999 ...), phone numbers from Ofcom's drama ranges and email
addresses from the RFC 2606 example domains.

Modules, one job each:
- names: weighted given and family names (how common each is in England);
- places: local authority profiles (postcode districts, towns, phone area codes);
- contact: NHS numbers, phone numbers and email addresses that can never reach anyone;
- directory: the organisations children are linked to (schools, GP practices, services);
- families: one family's children and carers from one random generator (pure, no database);
- stream: a deterministic, seekable stream of children for a seed;
- loader: seals and saves a stream in batches (child_build + children_save_built);
- mistakes: the errors people make keying records, for feed and linkage tests;
- accounts: demo accounts for every role;
- guard: refuses to write synthetic data where it does not belong.
"""
