"""The multi-document question-answering set shipped with tokviz: invented facts about invented
places and people, one short document per item, written for this package. No real-world knowledge is
needed to answer, or helps: the answer is only in the item's own document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class QAItem:
    """One item: a one-sentence `document`, a `question` it answers, and the `answer` with its leading
    space, exactly as it occurs in the document (" green"). `prefix`: the document's words before the
    answer; a prompt ends with them, so the answer's first token is the very next token."""

    id: str
    document: str
    question: str
    answer: str

    @property
    def prefix(self) -> str:
        return self.document[: self.document.index(self.answer)]


@lru_cache(maxsize=1)
def multidoc_items() -> tuple[QAItem, ...]:
    """The shipped items (tokviz/data/multidoc_qa.json). Every answer occurs once in its own document and
    in no other item's document or question (tests/test_refinement.py checks this, and that each answer is
    one token for the default model's tokenizer, different for every item)."""
    text = resources.files(__package__).joinpath("multidoc_qa.json").read_text(encoding="utf-8")
    items = tuple(QAItem(**row) for row in json.loads(text)["items"])
    for item in items:
        if item.document.count(item.answer) != 1 or not item.answer.startswith(" "):
            raise ValueError(f"item {item.id}: the answer {item.answer!r} must start with a space and occur "
                             f"once in its document")
    if len({item.id for item in items}) != len(items):
        raise ValueError("multidoc_qa.json: item ids must be unique")
    return items
