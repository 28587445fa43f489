"""Admins granted and revoked by command. ADMIN_IDS from settings are checked by the bot."""

from sqlite_utils import Database

from storage.history import write_audit
from storage.memo import memoized
from storage.models import Actor, AdminGrant
from storage.timestamps import from_db, to_db, utc_now


def list_admins(db: Database) -> list[AdminGrant]:
    """Granted admins, earliest grant first."""
    rows = db.query("SELECT * FROM admins ORDER BY granted_at, user_id")
    return [AdminGrant(**{**row, "granted_at": from_db(row["granted_at"])}) for row in rows]


def is_granted_admin(db: Database, user_id: int) -> bool:
    """Whether /grant made this user an admin (asked on every channel reply, so remembered)."""
    return user_id in memoized(db, "admins", "granted_admins", lambda: _granted_ids(db))


def _granted_ids(db: Database) -> frozenset[int]:
    # `execute`, not sqlite-utils' `query`, which wraps every read in a SAVEPOINT and RELEASE:
    # three statements instead of one on every cold channel page.
    return frozenset(user_id for (user_id,) in db.execute("SELECT user_id FROM admins"))


def grant_admin(db: Database, *, user_id: int, name: str, actor: Actor) -> bool:
    """Make a user an admin; False when they already were (nothing is written then)."""
    now = utc_now()
    with db.atomic():
        if is_granted_admin(db, user_id):
            return False
        db.execute(
            "INSERT INTO admins (user_id, name, granted_at, granted_by_id, granted_by) "
            "VALUES (?, ?, ?, ?, ?)",
            [user_id, name, to_db(now), actor.id, actor.name],
        )
        new = {"user_id": user_id, "name": name}
        write_audit(db, actor=actor, action="grant", channel_id=None, old=None, new=new, at=now)
    return True


def revoke_admin(db: Database, *, user_id: int, actor: Actor) -> bool:
    """Remove a granted admin; False when the user had no grant (nothing is written then)."""
    with db.atomic():
        row = next(iter(db.query("SELECT name FROM admins WHERE user_id = ?", [user_id])), None)
        if row is None:
            return False
        db.execute("DELETE FROM admins WHERE user_id = ?", [user_id])
        old = {"user_id": user_id, "name": row["name"]}
        write_audit(db, actor=actor, action="revoke", channel_id=None, old=old, new=None)
    return True
