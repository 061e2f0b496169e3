"""Exceptions raised by the matching engine."""


class EngineInputError(ValueError):
    """Bad input (files, constraints, weights); the message is Chinese and meant for the user."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.detail = message
        super().__init__(_locate(message, file=file, row=row, column=column))


def _locate(message: str, *, file: str | None, row: int | None, column: str | None) -> str:
    """Prefix a message with the file, row and column it is about."""
    where = []
    if file:
        where.append("文件“%s”" % file)
    if row is not None:
        where.append("第 %d 行" % row)
    if column:
        where.append("“%s”列" % column)
    if not where:
        return message
    return "%s：%s" % ("".join(where), message)
