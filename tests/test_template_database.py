"""The `db` fixture's copied template is the very database migrating and seeding would give.

conftest.py builds one seeded database per test process and copies it for each test instead of
running every migration and the seed again. That is only a speed-up if nothing can tell the
difference: same schema, same rows, same timestamps, same journal mode.
"""

import storage


def dump(database) -> list[str]:
    return list(database.conn.iterdump())


def test_copied_template_equals_a_freshly_seeded_database(tmp_path, db, frozen_time) -> None:
    fresh = storage.open_database(tmp_path / "fresh.db")
    try:
        assert storage.seed_if_empty(fresh) is True
        assert dump(db) == dump(fresh)
        assert len(dump(db)) > 100  # schema, seeded rows and recorded migrations, not nothing
        for pragma in ("journal_mode", "user_version", "foreign_keys", "busy_timeout"):
            query = f"PRAGMA {pragma}"
            assert db.execute(query).fetchall() == fresh.execute(query).fetchall(), pragma
    finally:
        fresh.close()


def test_each_test_gets_its_own_copy(db, seeded_template, settings) -> None:
    """A test writes to its copy only; the template stays as it was built."""
    assert settings.database_path != seeded_template
    before = seeded_template.read_bytes()
    db.execute("DELETE FROM audit_log")
    db.conn.commit()
    assert seeded_template.read_bytes() == before
