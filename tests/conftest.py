"""Fixtures shared by the whole test suite."""

# tests/pgserver.py: a throwaway PostgreSQL server for the session (started only when a test
# needs it) and ``case_db_url``, the URL of a fresh empty database per test, parametrized over
# ["sqlite", "postgresql"] (the latter marked ``postgres``). See that module for the details.
pytest_plugins = ["pgserver", "pytester"]
