"""Test support: factories that build data through the services, database snapshots, an API
client. Used by the tests and the browser tests only; not part of the installed product
(pyproject.toml excludes it from the wheel)."""
