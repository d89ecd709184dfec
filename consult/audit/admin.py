"""Clinical records in Django admin: shown, never changed, and every showing is on the trail.

Consults, follow-ups and the other records that carry clinical text change only through the
product's services, where the de-identification guard and the audit trail are. Their admins
grant no add, change or delete permission (a posted change form is refused with 403), and each
change page an admin opens is a read on the case's trail (`case.viewed`, page "admin"), or on
the admin's own stream (`admin.record_viewed`) for a record without a case.
"""

from django.contrib import admin
from django.db import transaction

from consult.audit.kinds import Action, user_stream
from consult.audit.services import audit_append


class ClinicalRecordAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record_admin_read(request.user, self.get_object(request, object_id))
        return response


def record_admin_read(admin_user, record):
    payload = {"page": "admin", "model": record._meta.model_name, "object_id": record.pk}
    case = getattr(record, "case", None)
    with transaction.atomic():
        if case is not None:
            audit_append(action=Action.CASE_VIEWED, actor=admin_user, case=case, payload=payload)
        else:
            audit_append(
                action=Action.ADMIN_RECORD_VIEWED,
                actor=admin_user,
                stream=user_stream(admin_user.pk),
                payload=payload,
            )
