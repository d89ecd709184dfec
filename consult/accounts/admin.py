from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm

from consult.accounts.models import Membership, Team, User
from consult.accounts.services import membership_add, membership_remove
from consult.audit.kinds import team_stream, user_stream
from consult.deid.admin_forms import DeidGuardedForm


class GuardedUserChangeForm(DeidGuardedForm, UserChangeForm):
    # Display names are shown in every room; a username stands in when they are blank.
    guarded_fields = ("username", "first_name", "last_name")


class GuardedTeamForm(DeidGuardedForm, forms.ModelForm):
    guarded_fields = ("name",)

    class Meta:
        model = Team
        fields = ("name",)


@admin.register(User)
class ConsultUserAdmin(UserAdmin):
    """Deactivating, changing the role or setting a password here closes the user's sockets and
    ends their sessions like everywhere else (consult/accounts/access_changes.py)."""

    form = GuardedUserChangeForm
    fieldsets = UserAdmin.fieldsets + (
        ("Consult", {"fields": ("role",)}),
        ("Not an identifier", {"fields": ("deid_confirm",)}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (("Consult", {"fields": ("role",)}),)
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user  # named on the session.revoked events a change causes
        super().save_model(request, obj, form, change)
        if hasattr(form, "audit_confirmations"):
            form.audit_confirmations(
                actor=request.user, record={"user_id": obj.pk}, stream=user_stream(obj.pk)
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = GuardedTeamForm
    inlines = [MembershipInline]
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        form.audit_confirmations(
            actor=request.user, record={"team_id": obj.pk}, stream=team_stream(obj.pk)
        )

    def save_formset(self, request, form, formset, change):
        """Memberships change through the account services, one by one, so each case's trail
        names the admin and a removed member's sockets close at once. A row whose user was
        changed is the old member removed and the new one added."""
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership_remove(actor=request.user, membership=membership)
        for membership in memberships:
            if membership.pk is not None:
                membership_remove(
                    actor=request.user, membership=Membership.objects.get(pk=membership.pk)
                )
            membership_add(actor=request.user, team=membership.team, user=membership.user)
        formset.save_m2m()
