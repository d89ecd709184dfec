from django import template

from consult.records.guidance.panel import records_context

register = template.Library()


@register.inclusion_tag("records/_case_records.html", takes_context=True)
def case_records(context, case):
    return {**records_context(context["user"], case), "csrf_token": context.get("csrf_token")}
