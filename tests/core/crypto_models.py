"""Test-only models for the crypto layer, on their own metadata (not core.db.Base)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.crypto import encrypted_column
from core.db import NAMING_CONVENTION, UTCDateTime


class CryptoTestBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Person(CryptoTestBase):
    """A person is their own subject: their data key protects every field below."""

    __tablename__ = "crypto_test_person"
    __encryption_subject__ = "id"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    sex: Mapped[str | None]
    given_name = encrypted_column(str, nullable=False, blind_index="name")
    family_name = encrypted_column(str, blind_index="name")
    aliases = encrypted_column(list, blind_index="name")
    date_of_birth = encrypted_column(date, blind_index="date_of_birth")
    documents = encrypted_column(list, blind_index="document")
    contact = encrypted_column(dict)
    photo = encrypted_column(bytes)
    household_size = encrypted_column(int)
    arrived_at = encrypted_column(datetime)


class Document(CryptoTestBase):
    """A row that belongs to a person: encrypted under the person's key."""

    __tablename__ = "crypto_test_document"
    __encryption_subject__ = "person_id"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID]
    number = encrypted_column(str, blind_index="document")
    kind = encrypted_column(str)


class Statistic(CryptoTestBase):
    """The non-identifying skeleton an erasure hook keeps."""

    __tablename__ = "crypto_test_statistic"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    birth_year: Mapped[int | None]
    sex: Mapped[str | None]
