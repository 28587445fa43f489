"""Loading seed.yaml: the phase ladder and the channels of the source article."""

import json
import logging
from datetime import UTC, date, datetime, time
from pathlib import Path

import yaml
from pydantic import BaseModel
from sqlite_utils import Database

from language.i18n import ENGLISH, UKRAINIAN
from language.word_forms import index_words
from storage.channel_writes import create_channel
from storage.database import file_identity
from storage.models import Actor, SourceGrade

log = logging.getLogger(__name__)

SEED_FILE = Path(__file__).with_name("seed.yaml")
SEED_ACTOR = Actor(id=None, name="seed")


class SeedPhase(BaseModel):
    """A phase as written in the seed file; its position gives its rank."""

    slug: str
    label: str
    emoji: str
    label_uk: str | None = None


class SeedSource(BaseModel):
    """Where the seeded statuses come from."""

    label: str
    url: str | None = None
    grade: SourceGrade
    date: date


class SeedChannel(BaseModel):
    """A channel and its first status as written in the seed file."""

    slug: str
    title: str
    title_uk: str | None = None
    aliases: list[str] = []
    keywords: list[str] = []
    phase: str
    summary: str
    summary_uk: str | None = None


class SeedFile(BaseModel):
    """The whole seed file, validated before anything is written."""

    phases: list[SeedPhase]
    source: SeedSource
    channels: list[SeedChannel]


def load_seed(path: Path = SEED_FILE) -> SeedFile:
    """Parse and validate the seed file; a broken file fails here, not half-way through."""
    return SeedFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def seed_if_empty(db: Database, path: Path = SEED_FILE) -> bool:
    """Seed a database that has no channels yet; returns whether it seeded.

    Runs as one transaction, so an interrupted first start leaves an empty database that
    the next start seeds again, never a half-seeded one.
    """
    if db["channels"].count:
        return False
    identity = file_identity(db)
    if identity is not None and not identity.created:
        # Not a first start: a database was there, without any channel. Say so before seeding.
        log.warning("database %s existed but has no channels: seeding it", identity.path)
    seed = load_seed(path)
    changed_at = datetime.combine(seed.source.date, time(0, 0), tzinfo=UTC)
    with db.atomic():
        if not db["phases"].count:
            db["phases"].insert_all(
                {**phase.model_dump(), "rank": rank} for rank, phase in enumerate(seed.phases)
            )
        for channel in seed.channels:
            create_channel(
                db,
                slug=channel.slug,
                title=channel.title,
                title_uk=channel.title_uk,
                aliases=channel.aliases,
                keywords=channel.keywords,
                phase=channel.phase,
                summary=channel.summary,
                summary_language=ENGLISH,
                translation=channel.summary_uk,
                actor=SEED_ACTOR,
                source_label=seed.source.label,
                source_url=seed.source.url,
                source_grade=seed.source.grade,
                changed_at=changed_at,
            )
    log.info("seeded %d channels from %s", len(seed.channels), path.name)
    return True


def fill_from_seed(db: Database, path: Path = SEED_FILE) -> None:
    """Give a database seeded earlier what the seed file has gained since, keeping admins' work.

    By slug: phases without a Ukrainian label get the file's, channels without a Ukrainian
    title get the file's and any keywords the file has that the channel lacks, and a seeded
    status still in the database unchanged (written by the seed, same summary) gets the file's
    Ukrainian summary when it has none. Runs inside the caller's transaction (a migration, a
    restore).
    """
    seed = load_seed(path)
    for phase in seed.phases:
        if phase.label_uk:
            db.execute(
                "UPDATE phases SET label_uk = ? WHERE slug = ? AND label_uk IS NULL",
                [phase.label_uk, phase.slug],
            )
    for channel in seed.channels:
        row = db.execute(
            "SELECT id, keywords FROM channels WHERE slug = ?", [channel.slug]
        ).fetchone()
        if row is None:
            continue
        channel_id, stored = row[0], json.loads(row[1] or "[]")
        missing = [word for word in channel.keywords if word not in stored]
        db.execute(
            "UPDATE channels SET title_uk = coalesce(title_uk, ?), keywords = ? WHERE id = ?",
            [channel.title_uk, json.dumps([*stored, *missing], ensure_ascii=False), channel_id],
        )
        if channel.summary_uk:
            db.execute(
                "UPDATE status_history SET translation = ?, translation_language = ? "
                "WHERE channel_id = ? AND actor_id IS NULL AND actor_name = ? AND summary = ? "
                "AND translation IS NULL",
                [channel.summary_uk, UKRAINIAN, channel_id, SEED_ACTOR.name, channel.summary],
            )
    _reindex_seeded(db)


def _reindex_seeded(db: Database) -> None:
    # Before the search migration there is no search_words column to refresh.
    if "search_words" not in db["status_history"].columns_dict:
        return
    rows = db.execute(
        "SELECT id, summary, translation FROM status_history WHERE actor_id IS NULL "
        "AND actor_name = ? AND translation IS NOT NULL",
        [SEED_ACTOR.name],
    ).fetchall()
    db.conn.executemany(
        "UPDATE status_history SET search_words = ? WHERE id = ?",
        [(index_words(summary, translation), entry_id) for entry_id, summary, translation in rows],
    )
