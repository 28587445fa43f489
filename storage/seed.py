"""Loading seed.yaml: the phase ladder and the channels of the source article."""

import logging
from datetime import UTC, date, datetime, time
from pathlib import Path

import yaml
from pydantic import BaseModel
from sqlite_utils import Database

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
    aliases: list[str] = []
    keywords: list[str] = []
    phase: str
    summary: str


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
                aliases=channel.aliases,
                keywords=channel.keywords,
                phase=channel.phase,
                summary=channel.summary,
                actor=SEED_ACTOR,
                source_label=seed.source.label,
                source_url=seed.source.url,
                source_grade=seed.source.grade,
                changed_at=changed_at,
            )
    log.info("seeded %d channels from %s", len(seed.channels), path.name)
    return True
