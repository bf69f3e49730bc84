"""The matching engine shared by practitioner search and feed linkage.

Pure functions, no database: `identity` describes who a record or query is about, `blocking` turns it
into exact keys (to be blind-indexed by the vault), `scoring` compares decrypted candidates.
"""
