from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from consult.accounts.models import Membership, Team, User


@admin.register(User)
class ConsultUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Consult", {"fields": ("role",)}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Consult", {"fields": ("role",)}),)
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    inlines = [MembershipInline]
    search_fields = ("name",)

    def save_formset(self, request, form, formset, change):
        """Save memberships one by one so each case's trail names the admin (consult/audit/signals.py)."""
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.audit_actor = request.user
            membership.delete()
        for membership in memberships:
            membership.audit_actor = request.user
            membership.save()
        formset.save_m2m()
