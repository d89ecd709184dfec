"""Guarding a whole form of free-text fields at once, so the writer sees every flagged span."""
from consult.core.errors import IdentifierFound
from consult.deid.guard import guard_text


class FieldsFlagged(IdentifierFound):
    """Several fields were flagged; `errors` holds one IdentifierFound per field."""

    def __init__(self, errors):
        super().__init__([f for e in errors for f in e.findings], field=errors[0].field)
        self.errors = errors

    def as_dict(self):
        return {**super().as_dict(), "fields": {e.field: [f.as_dict() for f in e.findings] for e in self.errors}}


def guard_fields(texts):
    """Pass every {field: text} through the guard; raise FieldsFlagged naming each flagged field."""
    errors = []
    for field, text in texts.items():
        try:
            guard_text(text, field=field)
        except IdentifierFound as error:
            errors.append(error)
    if errors:
        raise FieldsFlagged(errors)


def flagged_spans(error, texts):
    """{field: [(kind, flagged text)]} for showing the writer exactly what was flagged."""
    errors = getattr(error, "errors", [error])
    return {e.field: [(f.kind, texts.get(e.field, "")[f.start:f.end]) for f in e.findings] for e in errors}
