"""PostgreSQL as the test suite uses it: Django's backend with a faster flush (see `base`). Tests only."""
