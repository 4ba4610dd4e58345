from tests.matrix import Case, page, restricted_text
from tests.personas import World

from anwei.audit import services

AGENCY_VIEWERS = frozenset({"admin", "ethics", "auditor"})  # audit.view on the agency's root unit
VIEWERS = {**dict.fromkeys(AGENCY_VIEWERS, 200), "auditor_a1": 200, "ethics_other": 200}


def setup_world(world: World) -> None:
    """One entry by an actor in unit B, one by an actor in sub-unit A1, one by the second agency's ethics officer:
    each may be read only within its actor's agency and by the holders of a subtree that holds the actor."""
    marks = {
        "staff_b": ("乙單位稽核標記甲", AGENCY_VIEWERS),
        "auditor_a1": ("甲一單位稽核標記", AGENCY_VIEWERS | {"auditor_a1"}),
        "ethics_other": ("他機關稽核標記乙", frozenset({"ethics_other"})),
    }
    for persona, (mark, may_see) in marks.items():
        services.record(
            actor=world.users[persona],
            action="other",
            object_type="matrix.mark",
            object_repr=restricted_text(world, mark, may_see),
        )
    # a failed sign-in under a name of unit B's staff: the typed name attributes it to that user's unit
    services.record(
        actor=None,
        action="login_failed",
        object_type="accounts.user",
        actor_label="staff_b",
        object_repr=restricted_text(world, "乙單位登入失敗標記", AGENCY_VIEWERS),
    )


CASES = [
    Case("audit:index", "/audit/", page(VIEWERS)),
    Case("audit:index", "/audit/?object_type=matrix.mark", page(VIEWERS), label="filtered"),
    Case("audit:csv", "/audit/export.csv", page(VIEWERS)),
]
