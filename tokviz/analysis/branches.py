"""Branches: "what if the model had written another token here?", as a tree of runs.

The root is a run from the prompt (an analysis, maybe with its generation). A branch leaves the branch
being looked at, at one of its tokens, with another token forced in its place, and continues with the same
decoding settings (generate's prompt_tokens / prefix_ids). Every branch keeps its whole result, so every
token of every branch keeps its probability, rank and alternatives. Pure bookkeeping: no model here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import check_int
from ..core.generation_result import Generation
from ..core.prompt_result import PromptAnalysis
from ..errors import InvalidInputError

SOURCES = ("prompt", "generated")


@dataclass
class Branch:
    """One run of the tree. parent: the branch it left (None: the root); at: (source, index) of the token it
    replaced in the parent; token_id: the token forced there."""

    id: int
    parent: int | None
    analysis: PromptAnalysis
    generation: Generation | None = None
    at: tuple[str, int] | None = None
    token_id: int | None = None


class BranchTree:
    """The runs of one prompt: a root and its branches; `current` is the one shown. prompt: the text the root
    ran on (branches cut it by tokens, never re-tokenize it)."""

    def __init__(self, prompt: str, analysis: PromptAnalysis, generation: Generation | None = None):
        self.prompt = prompt
        self.branches = [Branch(0, None, analysis, generation)]
        self.current = 0

    def __len__(self) -> int:
        return len(self.branches)

    def __getitem__(self, branch_id: int) -> Branch:
        return self.branches[branch_id]

    @property
    def shown(self) -> Branch:
        return self.branches[self.current]

    def switch(self, branch_id: int) -> Branch:
        check_int(branch_id, "branch", low=0, high=len(self.branches) - 1, hint=" (an id in the branch tree)")
        self.current = int(branch_id)
        return self.shown

    def generate_args(self, source: str, index: int, token_id: int) -> dict:
        """generate()'s prompt / prompt_tokens / prefix_ids for a branch of the shown run that puts token_id
        in place of its token `index` of `source` ("prompt" or "generated"); the decoding settings are the
        shown run's own (branch_settings)."""
        branch = self.shown
        if source not in SOURCES:
            raise InvalidInputError(f"source must be one of {SOURCES}, got {source!r}")
        prompt_len = len(branch.analysis.tokens)
        if source == "prompt":
            if index == 0:
                raise InvalidInputError("the first prompt token has no alternatives: nothing came before it")
            check_int(index, "index", low=1, high=prompt_len - 1, hint=" (a prompt token after the first)")
            return {"prompt": self.prompt, "prompt_tokens": int(index), "prefix_ids": [token_id]}
        tokens = branch.generation.tokens if branch.generation else []
        if not tokens:
            raise InvalidInputError("this run has no generated tokens to branch from: generate first")
        check_int(index, "index", low=0, high=len(tokens) - 1, hint=" (a generated token of the shown run)")
        return {"prompt": self.prompt, "prompt_tokens": prompt_len,
                "prefix_ids": [*(t.token_id for t in tokens[:index]), token_id]}

    def add(self, at: tuple[str, int], token_id: int, generation: Generation) -> Branch:
        """Record a finished (or stopped) branch of the shown run, and show it."""
        branch = Branch(len(self.branches), self.current, generation.prompt, generation, at, token_id)
        self.branches.append(branch)
        self.current = branch.id
        return branch
