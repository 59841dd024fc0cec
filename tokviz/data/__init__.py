"""Text shipped with tokviz: a small corpus of original English prose (science, narrative history,
everyday instructions, dialogue) used as the default input of layer_law. Written for this package."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def corpus_paragraphs() -> tuple[str, ...]:
    """The corpus as paragraphs (blank-line separated; a dialogue is one paragraph), each well under
    256 tokens for common tokenizers; about 7,300 tokens in all for SmolLM2's tokenizer."""
    text = resources.files(__name__).joinpath("corpus.txt").read_text(encoding="utf-8")
    return tuple(p.strip() for p in text.split("\n\n") if p.strip())
