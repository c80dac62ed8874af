"""What PySpark's readers and writers share: chainable ``format()``, ``option()`` and
``options()``, with option values kept as Spark keeps them (text; booleans as true/false)."""


def option_text(value):
    """Option values as Spark keeps them: strings; booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class OptionsBuilder:
    """Mixed into a reader or writer that sets ``self._format`` and ``self._options``.
    Where ``_case_insensitive`` (the batch reader and writer, which look up the keys
    themselves), the format and the keys are kept in lower case; the streaming ones pass
    them on to the engine, which matches keys case-insensitively, as Spark does."""

    _case_insensitive = False

    def format(self, source):
        self._format = source.lower() if self._case_insensitive else source
        return self

    def option(self, key, value):
        self._options[key.lower() if self._case_insensitive else key] = option_text(value)
        return self

    def options(self, **options):
        for key, value in options.items():
            self.option(key, value)
        return self
