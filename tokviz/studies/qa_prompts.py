"""The question-answering prompts that refinement and layer importance score: multi-document prompts built
from the shipped QA set (`tokviz.data.multidoc`), and the scoring request for an answer's first token."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from ..backends.local.model import LanguageModel
from ..checks import check_int, check_text, is_int
from ..core.encoding import Encoded, Request, encode, tokenize
from ..data.multidoc import QAItem, multidoc_items
from ..errors import InvalidInputError


@dataclass(frozen=True)
class QAPrompt:
    """A multi-document prompt: `num_docs` documents, the one that answers the question at `position`
    (1-based), then the question and the start of the answer sentence. `answer` (leading space) is what
    should come next; its first token is the one scored. document_ids: the item ids of the documents, in
    prompt order."""

    text: str
    answer: str
    item_id: str
    num_docs: int
    position: int
    document_ids: tuple[str, ...]


def format_prompt(documents: Sequence[str], item: QAItem) -> str:
    """The prompt text: one line per document, the question, and 'Answer: ' with the document's words
    before the answer (the answer's first token is the next token)."""
    lines = [f"Document {i}: {doc}" for i, doc in enumerate(documents, start=1)]
    return "\n".join([*lines, f"Question: {item.question}", f"Answer: {item.prefix}"])


def multidoc_prompts(num_docs: int, *, positions: Sequence[int] | None = None, limit: int | None = None,
                     seed: int = 0, items: Sequence[QAItem] | None = None) -> list[QAPrompt]:
    """Prompts with num_docs documents, the relevant one at each position in turn.

    For each asked item, num_docs - 1 distractor documents are drawn once (without replacement, from the
    other items, with a random.Random seeded by seed, num_docs and the item's id) and kept in one order;
    the relevant document is inserted among them at each position, so only its position changes.
    positions: 1-based positions to use (default 1..num_docs). limit: ask only the first `limit` items
    (distractors still come from all of them). items: the pool (default: the shipped set).
    Ordered by item, then position.
    """
    pool = list(multidoc_items() if items is None else items)
    if not pool or not all(isinstance(item, QAItem) for item in pool):
        raise InvalidInputError("items must be a non-empty sequence of QAItem (or None for the shipped set)")
    check_int(num_docs, "num_docs", low=1, high=len(pool), hint=f" (the pool has {len(pool)} items)")
    check_int(seed, "seed")
    if positions is None:
        positions = range(1, num_docs + 1)
    elif isinstance(positions, (str, bytes)) or not isinstance(positions, Sequence) or not positions:
        raise InvalidInputError(f"positions must be a non-empty list of positions 1..{num_docs}; got {positions!r}")
    positions = [check_int(p, "position", low=1, high=num_docs) for p in positions]
    asked = pool if limit is None else pool[: check_int(limit, "limit", low=1)]
    prompts = []
    for item in asked:
        others = [other for other in pool if other.id != item.id]
        distractors = random.Random(f"{seed}:{num_docs}:{item.id}").sample(others, num_docs - 1)
        for position in positions:
            docs = [*distractors[: position - 1], item, *distractors[position - 1 :]]
            prompts.append(QAPrompt(
                text=format_prompt([d.document for d in docs], item), answer=item.answer, item_id=item.id,
                num_docs=num_docs, position=position, document_ids=tuple(d.id for d in docs)))
    return prompts


def answer_request(lm: LanguageModel, prompt: str, answer: str | int, *, what: str = "prompt") -> Request:
    """The scoring request for the answer's first token right after the prompt.

    answer: a string (the answer's first token is token len(tokens(prompt)) of prompt + answer, provided
    the prompt's tokens are a prefix of those of prompt + answer, i.e. the tokenizer does not merge across
    the boundary; otherwise the first token is not defined and InvalidInputError says so), or a token id
    (scored as the token after the prompt's tokens).
    """
    check_text(prompt, what)
    if is_int(answer):
        check_int(answer, f"answer of {what}", low=0, high=lm.vocab_size - 1)
        alone = encode(lm, prompt, what=what, room=1)
        return Encoded(alone.context, [*alone.ids, int(answer)]).request([len(alone.ids)])
    if not isinstance(answer, str):
        raise InvalidInputError(f"the answer of {what} must be a string or a token id, got {answer!r}")
    check_text(answer, f"answer of {what}")
    alone = tokenize(lm, prompt, what=what)
    whole = encode(lm, prompt + answer, what=what)
    n = len(alone.ids)
    if whole.context != alone.context or whole.ids[:n] != alone.ids or len(whole.ids) == n:
        raise InvalidInputError(
            f"the answer {answer!r} does not start a new token after {what} (the tokenizer merges it with the "
            f"prompt's last token), so its first token is not defined; end the prompt before the space")
    return whole.request([n])


def prompts_and_answers(prompts, answers) -> tuple[list[str], list, list[QAPrompt | None]]:
    """The prompts' texts, their answers, and the QAPrompts themselves (None for plain strings), checked."""
    if isinstance(prompts, (str, QAPrompt)) or not isinstance(prompts, Sequence) or not prompts:
        raise InvalidInputError("prompts must be a non-empty list of QAPrompt or of strings")
    if all(isinstance(p, QAPrompt) for p in prompts):
        if answers is not None:
            raise InvalidInputError("QAPrompts carry their answers: leave answers=None")
        return [p.text for p in prompts], [p.answer for p in prompts], list(prompts)
    if not all(isinstance(p, str) for p in prompts):
        raise InvalidInputError("prompts must all be QAPrompt or all be strings")
    if isinstance(answers, str) or not isinstance(answers, Sequence) or len(answers) != len(prompts):
        raise InvalidInputError(f"answers must be a list of {len(prompts)} answers (strings or token ids), "
                                f"one per prompt; got {answers!r}")
    return list(prompts), list(answers), [None] * len(prompts)
