"""Intake forms (seed 003): the practice asks a client to fill one in; the client, or a linked
client the client lets complete intake forms, fills it in once. The form stays in the
client's profile; `completed_by_id` says who filled it in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from domain.shared.errors import DomainError, ErrorCode, Problems
from domain.shared.events import Aggregate, Event

MAX_TITLE = 200
MAX_QUESTIONS = 100


class IntakeFormStatus(Enum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"


@dataclass(frozen=True)
class IntakeFormRequested(Event):
    practice_id: uuid.UUID
    form_id: uuid.UUID


@dataclass(frozen=True)
class IntakeFormCompleted(Event):
    practice_id: uuid.UUID
    form_id: uuid.UUID


@dataclass(eq=False)
class IntakeForm(Aggregate):
    id: uuid.UUID
    practice_id: uuid.UUID
    client_id: uuid.UUID
    title: str
    questions: list[str]
    status: IntakeFormStatus
    requested_at: datetime
    answers: Any = None
    completed_by_id: uuid.UUID | None = None
    completed_at: datetime | None = None

    def complete(self, answers: Any, by: uuid.UUID, now: datetime) -> None:
        if self.status is IntakeFormStatus.COMPLETED:
            raise DomainError.one(ErrorCode.INVALID_STATE,
                                  "This form has already been completed.", ["formId"])
        self.answers = answers
        self.completed_by_id = by
        self.completed_at = now
        self.status = IntakeFormStatus.COMPLETED
        self.record(IntakeFormCompleted(self.practice_id, self.id))


def request_form(
    practice_id: uuid.UUID, client_id: uuid.UUID, title: str, questions: list[str],
    now: datetime,
) -> IntakeForm:
    problems = Problems()
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        problems.add(ErrorCode.INVALID, f"A title of 1 to {MAX_TITLE} characters is needed.",
                     "title")
    cleaned = [q.strip() for q in questions]
    if not cleaned or len(cleaned) > MAX_QUESTIONS:
        problems.add(ErrorCode.INVALID, f"Between 1 and {MAX_QUESTIONS} questions are needed.",
                     "questions")
    for index, question in enumerate(cleaned):
        if not question:
            problems.add(ErrorCode.INVALID, "A question cannot be empty.", "questions",
                         str(index))
    problems.raise_if_any()
    form = IntakeForm(id=uuid.uuid4(), practice_id=practice_id, client_id=client_id,
                      title=title, questions=cleaned, status=IntakeFormStatus.PENDING,
                      requested_at=now)
    form.record(IntakeFormRequested(practice_id, form.id))
    return form
