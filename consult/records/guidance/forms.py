from django import forms


class GuidanceForm(forms.Form):
    assessment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="How you see the risk and the situation now.",
    )
    recommendation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text="Concrete next steps, one per line.",
    )
    follow_up_due = forms.DateField(
        required=False,
        label="Follow-up due",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Creates a follow-up check-in for the case owner.",
    )
    session_minutes = forms.IntegerField(
        min_value=1, max_value=480, initial=30, label="Session length (minutes)"
    )
    consult = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="About consult"
    )

    def __init__(self, *args, consults=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consult"].choices = [("", "none")] + [
            (c.pk, f"{c.get_kind_display()} #{c.pk} · {c.created_at:%Y-%m-%d %H:%M}")
            for c in consults
        ]
