"""What a sync changed in the org's manager tree: who moved team, who left (inactive or deleted in the CRM)
and who came back, and so which managers' teams changed.

The tree is small (one row per CRM user), so the run keeps a copy of it from when it began
(``SyncRun.people_before``) and compares at its finish: this catches changes however they landed (pages,
recycle-bin deletes, an id reconcile) and across the Celery chain's tasks. The org's lock means nothing else
writes people meanwhile. The result travels on the ``sync_finished`` signal; the engine decides what to do.
"""

from dataclasses import asdict, dataclass, field

from crm.models import Person

State = tuple[str, bool]  # (manager_sf_id, active: active in the CRM and not deleted)


@dataclass
class TreeChanges:
    moved: list[str] = field(default_factory=list)  # people whose manager changed
    left: list[str] = field(default_factory=list)  # active before, now inactive or deleted
    returned: list[str] = field(default_factory=list)  # inactive or deleted before, now active again
    added: list[str] = field(default_factory=list)  # new to the tree (a first sync: everyone), active
    managers: list[str] = field(default_factory=list)  # managers whose team changed (before or after)

    def __bool__(self) -> bool:
        return bool(self.moved or self.left or self.returned or self.added)

    def as_json(self) -> dict[str, list[str]]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> "TreeChanges":
        data = data or {}
        names = ("moved", "left", "returned", "added", "managers")
        return cls(**{name: list(data.get(name) or []) for name in names})


def tree_of(org_id: int) -> dict[str, State]:
    rows = Person.objects.filter(org_id=org_id).values_list("sf_id", "manager_sf_id", "is_active", "is_deleted")
    return {sf_id: (manager or "", bool(active) and not deleted) for sf_id, manager, active, deleted in rows}


def snapshot(org_id: int) -> dict[str, list]:
    return {sf_id: [manager, active] for sf_id, (manager, active) in tree_of(org_id).items()}


def compare(before: dict[str, list] | None, after: dict[str, State]) -> TreeChanges:
    """The changes from ``before`` (a snapshot) to ``after``."""
    changes = TreeChanges()
    managers: set[str] = set()
    previous = {sf_id: (state[0], bool(state[1])) for sf_id, state in (before or {}).items()}
    leads = {manager for manager, _ in after.values() if manager}
    for sf_id, (manager, active) in after.items():
        if sf_id not in previous:
            if active:
                changes.added.append(sf_id)
                managers.update(name for name in (manager,) if name)
            continue
        old_manager, was_active = previous[sf_id]
        if was_active and not active:
            changes.left.append(sf_id)
        elif active and not was_active:
            changes.returned.append(sf_id)
        elif not active:
            continue  # inactive before and after: nobody's team changed
        elif manager != old_manager:
            changes.moved.append(sf_id)
        else:
            continue
        # Their old and new manager's teams changed; a leaving manager's own team lost its manager.
        managers.update(name for name in (old_manager, manager) if name)
        if not active and sf_id in leads:
            managers.add(sf_id)
    changes.moved.sort()
    changes.left.sort()
    changes.returned.sort()
    changes.added.sort()
    changes.managers = sorted(managers)
    return changes
