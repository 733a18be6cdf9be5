"""Who is acting and from where, for the audit writer.

The web middleware binds the request's person, IP and user agent; a Celery task
or a management command binds a system actor. Code that records an audit entry
never has to pass these along.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    label: str = "anonymous"
    ip: str | None = None
    user_agent: str = ""


_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("caseroom_actor", default=Actor())  # noqa: B039 - frozen


def current_actor() -> Actor:
    return _actor.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def system_actor(job: str) -> Actor:
    return Actor(label=f"system:{job}")


def bind_user(user_id: int | None) -> None:
    """The request's person became known (session or token): record it on the actor."""
    actor = _actor.get()
    _actor.set(Actor(user_id=user_id, label="user" if user_id else "anonymous",
                     ip=actor.ip, user_agent=actor.user_agent))
