from django import forms

from consult.cases.clinical import WarningSign
from consult.cases.models import RiskLevel


class RiskForm(forms.Form):
    level = forms.ChoiceField(choices=RiskLevel.choices, label="Risk level")
    signs = forms.MultipleChoiceField(
        choices=WarningSign.choices,
        required=False,
        label="Warning signs present",
        widget=forms.CheckboxSelectMultiple,
    )
    protective_factors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text="What holds the client: people, plans, beliefs, reasons.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why this change"
    )
