from django.contrib import admin

from consult.audit.admin import ClinicalRecordAdmin
from consult.records.followups.models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(ClinicalRecordAdmin):
    """Read-only, reads audited (consult/audit/admin.py):
    notes change through the follow-up services."""

    list_display = ("id", "case", "owner", "due_at", "source", "reminded_at", "completed_at")
    list_filter = ("source",)
    raw_id_fields = ("case", "owner", "created_by", "completed_by")
