from django import forms

from consult.cases.models import RiskLevel, Status


class CaseForm(forms.Form):
    team = forms.ChoiceField()
    title = forms.CharField(max_length=120, help_text="A short, non-identifying description.")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=8000
    )
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, initial=RiskLevel.NONE)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]


class CaseEditForm(forms.Form):
    title = forms.CharField(max_length=120, help_text="A short, non-identifying description.")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=8000
    )
    status = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(
        max_length=500, help_text="Why the case changes; kept on the audit trail as a hash."
    )
