"""Access taken away reaches open sockets, whichever path made the change.

Accounts change through the product's services, Django admin (UserAdmin, the team's membership
inline), `manage.py changepassword` and `set_password` anywhere; all of them save the model, so
the revocation is hooked to the saves, inside the writer's transaction (see
consult/realtime/revocation.py for why before the commit):

| change | sessions | sockets |
| --- | --- | --- |
| membership removed | kept | every socket of the user, 4403 |
| account deactivated | all ended | every socket of the user, 4403 |
| role changed | kept | every socket of the user, 4403 (the handshake decides again) |
| password changed | all ended but the one that changed it | those sessions' sockets, 4001 |

(The session that changed the password is `keep_session_id`.)
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from consult.accounts.models import EndReason, Membership, User
from consult.accounts.sessions import sessions_end_for_user
from consult.realtime.revocation import (
    WS_CLOSE_ACCESS_LOST,
    WS_CLOSE_SIGNED_OUT,
    close_user_sockets,
)

WATCHED = {"is_active", "role", "password"}


@receiver(pre_save, sender=User, dispatch_uid="access_before_save")
def remember_access(sender, instance, raw=False, update_fields=None, **kwargs):
    if (
        raw
        or instance.pk is None
        or (update_fields is not None and not WATCHED & set(update_fields))
    ):
        instance._access_before = None
        return
    instance._access_before = (
        User.objects.filter(pk=instance.pk).values("is_active", "role").first()
    )


@receiver(post_save, sender=User, dispatch_uid="access_changed")
def revoke_changed_access(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_access_before", None)
    instance._access_before = None
    if created or raw or before is None:
        return
    if before["is_active"] and not instance.is_active:
        sessions_end_for_user(
            instance,
            reason=EndReason.DEACTIVATED,
            code=WS_CLOSE_ACCESS_LOST,
            actor=getattr(instance, "changed_by", None),
        )
        close_user_sockets(instance.pk, code=WS_CLOSE_ACCESS_LOST)
    elif before["role"] != instance.role:
        close_user_sockets(instance.pk, code=WS_CLOSE_ACCESS_LOST)
    # set_password keeps the raw password until save() has run the validators' hooks.
    if getattr(instance, "_password", None) is not None:
        sessions_end_for_user(
            instance,
            reason=EndReason.PASSWORD_CHANGED,
            code=WS_CLOSE_SIGNED_OUT,
            keep_session_id=getattr(instance, "keep_session_id", None),
            actor=getattr(instance, "changed_by", None),
        )


@receiver(post_delete, sender=Membership, dispatch_uid="membership_removed_revokes")
def revoke_removed_membership(sender, instance, **kwargs):
    close_user_sockets(instance.user_id, code=WS_CLOSE_ACCESS_LOST)
