from django import forms
from django.contrib import admin

from consult.audit.admin import ClinicalRecordAdmin
from consult.deid.admin_forms import DeidGuardedForm
from consult.oncall.models import ConsultRequest, Delivery, Page, Shift, TeamPagingSettings


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ("team", "supervisor", "tier", "starts_at", "ends_at")
    list_filter = ("team", "tier")
    raw_id_fields = ("supervisor", "created_by")


class GuardedPagingSettingsForm(DeidGuardedForm, forms.ModelForm):
    guarded_urls = ("webhook_url",)
    webhook_url = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = TeamPagingSettings
        fields = "__all__"


@admin.register(TeamPagingSettings)
class TeamPagingSettingsAdmin(admin.ModelAdmin):
    form = GuardedPagingSettingsForm
    list_display = ("team", "ack_seconds", "repeat_seconds", "webhook_url")


class PageInline(admin.TabularInline):
    model = Page
    extra = 0
    fields = (
        "recipient",
        "tier",
        "round",
        "sent_at",
        "repeats",
        "seen_at",
        "acknowledged_at",
        "declined_at",
    )
    readonly_fields = fields
    can_delete = False


@admin.register(ConsultRequest)
class ConsultRequestAdmin(ClinicalRecordAdmin):
    """Read-only, reads audited (consult/audit/admin.py): a consult changes through its services."""

    # The question stays out of the list: admin lists are read over shoulders.
    list_display = (
        "id",
        "kind",
        "case",
        "team",
        "requester",
        "state",
        "tier",
        "created_at",
        "acknowledged_by",
    )
    list_filter = ("kind", "state", "team")
    readonly_fields = ("escalate_at", "acknowledged_at", "resolved_at")
    raw_id_fields = ("case", "requester", "acknowledged_by", "resolved_by")
    inlines = [PageInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "target", "due_at", "sent_at", "attempts", "error")
    list_filter = ("channel",)
