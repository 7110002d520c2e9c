"""渠道: who may say where a ticket came from, and whose numbering its `external_id` follows.

Everyone sends their own requests (the H5, the API). Staff also enter requests for a caller (phone, window,
WeChat group) and report what they find on their rounds. The numbers of an outside platform (12345,
the provincial platform, sensors) come only from that platform's integration token, or from the staff who
dispatch, who import the hotline's export. 未诉先办 and 心愿墙 tickets are made by their own actions and are
never taken from input.

An `external_id` is namespaced by its source: an outside platform has one numbering, shared by its token and
the hotline import; anyone else's ids are their own account's, so nobody can claim, read or block another
source's numbers.
"""

from wangge.accounts.models import User
from wangge.areas.models import Role
from wangge.areas.scoping import REGISTRY_ROLES, scope_of
from wangge.tickets.models import Channel
from wangge.tickets.queries import SUPERVISOR_ROLES

OWN = frozenset({Channel.H5, Channel.API})
ASSISTED = frozenset({Channel.PHONE, Channel.STAFF, Channel.WECHAT, Channel.GRID, Channel.VISIT})
EXTERNAL = frozenset({Channel.HOTLINE, Channel.PROVINCIAL, Channel.SENSOR})
# Made by their own actions (routing, the wish wall, 议事 decisions, 公示 objections), never sent.
MADE = frozenset({Channel.PROACTIVE, Channel.WISH, Channel.DELIBERATION, Channel.OBJECTION})
SENT = OWN | ASSISTED | EXTERNAL

# Who enters requests for callers and from their rounds: the registry's roles bar the 包联 leader.
FIELD_ROLES = REGISTRY_ROLES - {Role.LEADER}


def channels_for(user: User, *, granted: str = "") -> frozenset[str]:
    """The channels `user` may send a ticket as; `granted` is the channel of the integration token the
    request came with, if any."""
    allowed: set[str] = set(OWN)
    if granted in SENT:
        allowed.add(granted)
    scope = scope_of(user)
    roles = {m.role for m in scope.memberships if m.area_id is not None}
    if scope.everything or roles & FIELD_ROLES:
        allowed |= ASSISTED
    if scope.everything or roles & SUPERVISOR_ROLES:
        allowed |= EXTERNAL
    return frozenset(allowed)


def source_of(channel: str, actor: User | None, *, granted: str = "") -> str:
    """Whose numbering an `external_id` sent with `channel` follows."""
    if channel in EXTERNAL or channel == granted or actor is None:
        return channel
    return f"user:{actor.pk}"
