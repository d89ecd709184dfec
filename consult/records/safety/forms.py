from django import forms

from consult.records.safety.models import SECTIONS
from consult.records.safety.services import SECTION_MAX_CHARS


class SafetyPlanForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for section in SECTIONS:
            self.fields[section.name] = forms.CharField(
                label=section.title,
                help_text=section.hint + " One item per line.",
                required=False,
                max_length=SECTION_MAX_CHARS,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
