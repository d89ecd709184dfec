from django.contrib import admin

from consult.followups.models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("id", "case", "owner", "due_at", "source", "reminded_at", "completed_at")
    list_filter = ("source",)
    raw_id_fields = ("case", "owner", "created_by", "completed_by")
