"""The project's settings from the environment: `settings.environment` (typed, checked in one place) and
`settings.errors` (light: the CLI catches its error without loading pydantic for `trova --help`)."""
