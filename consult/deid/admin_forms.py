"""The guard on Django admin forms: every free-text field an admin can type into is scanned in
clean(), as on the app's own pages. A flagged span is refused unless the admin ticks "not an
identifier" for it (a staff member's own name, say), and each tick is audited, as everywhere:
`deid.false_alarm_confirmed` with the record's key, field, offsets, kind and the field's hash.
"""

from django import forms

from consult.audit.false_alarms import false_alarms_audit
from consult.core.errors import IdentifierFound
from consult.deid.forms import CONFIRM_FIELD, CONFIRMATION_VALUE, ticked_confirmations
from consult.deid.guard import flagged_spans, guard_fields, guard_url


class DeidGuardedForm(forms.Form):
    """Mix into an admin ModelForm first; name its free-text fields in `guarded_fields` and the
    URLs it calls out to in `guarded_urls` (scanned for what they carry, not for being URLs)."""

    guarded_fields = ()
    guarded_urls = ()

    deid_confirm = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Not an identifier",
        help_text="When a span above is flagged but identifies no client (a staff member's own "
        "name), tick it and save again: your confirmation is audited.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        posted = (
            self.data.getlist(CONFIRM_FIELD)
            if hasattr(self.data, "getlist")
            else self.data.get(CONFIRM_FIELD, [])
        )
        self.fields[CONFIRM_FIELD].choices = [
            (value, value) for value in posted if CONFIRMATION_VALUE.match(value)
        ]
        self.deid_accepted = {}

    def clean(self):
        cleaned = super().clean()
        texts = {
            name: cleaned.get(name) or "" for name in self.guarded_fields if name in self.fields
        }
        try:
            self.deid_accepted = guard_fields(
                texts, ticked_confirmations(list(cleaned.get(CONFIRM_FIELD) or ()))
            )
        except IdentifierFound as error:
            self._show_flagged(flagged_spans(error, texts))
        for name in self.guarded_urls:
            if cleaned.get(name):
                try:
                    guard_url(cleaned[name], field=name)
                except IdentifierFound as error:
                    kinds = ", ".join(sorted({f.kind for f in error.findings}))
                    self.add_error(
                        name, f"This address carries what looks like an identifier ({kinds})."
                    )
        return cleaned

    def _show_flagged(self, flagged):
        choices = list(self.fields[CONFIRM_FIELD].choices)
        for name, spans in flagged.items():
            described = "; ".join(f"{span['kind']} “{span['text']}”" for span in spans)
            self.add_error(
                name,
                f"This looks like it identifies someone: {described}. Rewrite it, or tick "
                "“not an identifier” below and save again.",
            )
            choices += [
                (
                    f"{name}:{s['start']}:{s['end']}:{s['kind']}",
                    f"{name}: “{s['text']}” is not a client's {s['kind'].lower()}",
                )
                for s in spans
            ]
        self.fields[CONFIRM_FIELD].choices = list(dict(choices).items())

    def audit_confirmations(self, *, actor, record, stream):
        """After the save (inside the admin's transaction): one event per confirmed span."""
        false_alarms_audit(
            actor=actor,
            case=None,
            stream=stream,
            record=record,
            accepted=self.deid_accepted,
            texts={name: self.cleaned_data.get(name) or "" for name in self.deid_accepted},
        )
