from django import forms


class ReviewForm(forms.Form):
    team = forms.ChoiceField()
    scheduled_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    planned_minutes = forms.IntegerField(
        label="Planned length (minutes)", initial=60, min_value=5, max_value=480
    )
    cases = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty to review every open case of the team, highest risk first.",
    )

    def __init__(self, *args, teams, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]
        self.fields["cases"].choices = [
            (c.code, f"{c.code} · {c.team.name} · {c.get_risk_level_display()} risk · {c.title}")
            for c in cases
        ]
