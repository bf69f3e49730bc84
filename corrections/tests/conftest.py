"""The lifecycle's frozen clock, for the purge test (the other tests do not ask for it)."""

from lifecycle.tests.conftest import clock, fresh_keys  # noqa: F401 -- fixtures shared with lifecycle
