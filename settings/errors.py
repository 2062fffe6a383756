"""The error a bad environment setting raises, apart from the settings themselves so that catching it
costs no import."""


class SettingError(ValueError):
    """A setting in the environment has a value the project cannot use; the message names it."""
