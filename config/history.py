"""How the audited models keep their history (django-simple-history).

The audited models — a call's carriers, criteria, required documents and
statements (catalogue.translation), decisions and decision letters
(reviews.models.decisions), users' groups and permissions and the groups'
permissions (accounts.models) — register their history with AuditRecords. It is
simple-history's HistoricalRecords, plus:

- a save that changes nothing the history tracks writes no line (opt in with
  `skip_unchanged=True`, for the user, whose history tracks only the flags,
  groups and permissions: a sign-in saving `last_login` is no change);
- a many-to-many change made from the other side (`group.user_set.add(user)`)
  is recorded on the side that keeps the history (the user), not ignored.

Who made the change: simple-history reads the instance's `_history_user`, set
by the services that save an audited row (`actor=`), else the request of
simple_history.middleware.HistoryRequestMiddleware (the admin's edits).
"""

from simple_history.models import HistoricalRecords


class AuditRecords(HistoricalRecords):
    def __init__(self, *args, skip_unchanged: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.skip_unchanged = skip_unchanged

    def post_save(self, instance, created, using=None, **kwargs):
        if not created and self.skip_unchanged and self._unchanged(instance, kwargs):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance, signal_kwargs) -> bool:
        """Whether the save left every tracked field as the last history line
        has it (a save of untracked fields only costs no query)."""
        tracked = {field.attname for field in self.fields_included(instance)}
        update_fields = signal_kwargs.get("update_fields")
        if update_fields is not None:
            names = {instance._meta.get_field(name).attname for name in update_fields}
            if not names & tracked:
                return True
        last = getattr(instance, self.manager_name).order_by("-history_date").first()
        if last is None:
            return False
        return all(getattr(last, name) == getattr(instance, name) for name in tracked)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
            return
        # Changed from the other side: `instance` is the related row (a group)
        # and pk_set the rows that keep the history (users).
        model = kwargs["model"]
        if action == "pre_clear":
            through = getattr(model, attr).through
            field = getattr(model, attr).field
            instance._history_cleared = list(
                through.objects.filter(
                    **{field.m2m_reverse_field_name(): instance}
                ).values_list(field.m2m_field_name() + "_id", flat=True)
            )
            return
        if action == "post_clear":
            pk_set = getattr(instance, "_history_cleared", [])
        elif action not in ("post_add", "post_remove"):
            return
        for changed in model.objects.filter(pk__in=pk_set or []).order_by("pk"):
            super().m2m_changed(changed, action, attr, pk_set, False, **kwargs)
