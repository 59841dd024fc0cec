"""Beam search bookkeeping: the tree of every live beam at every step, recorded while transformers searches.

transformers' beam search calls the stopping criteria after each step with its top 2 * num_beams candidate
continuations (best first). `BeamRecorder` is such a criterion: it writes down every candidate with its
parent, cumulative score and token statistics, and answers "stop" for the candidates the caller wants
stopped (stop strings, cancellation). The live beams after a step are the candidates beam search kept: the
first num_beams (those that finished there, or still run) plus the running beams fed into the next step.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from transformers import StoppingCriteria

from ...core.beams import BeamNode, Ids


class BeamRecorder(StoppingCriteria):
    """Records each beam-search step's candidates (see the module docstring).

    running_ids: returns the running sequences fed into the current step ([num_beams, len]) and
    log_probs: their processed log-probabilities ([num_beams, V]), both seen by a pass-through
    LogitsProcessor earlier in the same step. token_stats(parent_rows, token_ids) gives per-candidate
    statistics to keep; should_stop(candidates) gives a bool per candidate.
    """

    def __init__(self, prompt_len: int, num_beams: int, running_ids: Callable[[], torch.Tensor],
                 log_probs: Callable[[], torch.Tensor], token_stats: Callable, should_stop: Callable):
        self.prompt_len = prompt_len
        self.num_beams = num_beams
        self._running_ids = running_ids
        self._log_probs = log_probs
        self._token_stats = token_stats
        self._should_stop = should_stop
        self.candidates: list[list[Ids]] = []  # per step, in transformers' order (best first)
        self.running: list[list[Ids]] = []  # per step, the running beams it started from
        self.score: dict[Ids, float] = {(): 0.0}
        self.step_logprob: dict[Ids, float] = {}
        self.stats: dict[Ids, object] = {}

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        rows = [tuple(r) for r in self._running_ids()[:, self.prompt_len :].tolist()]
        candidates = [tuple(c) for c in input_ids[:, self.prompt_len :].tolist()]
        row_of: dict[Ids, int] = {}
        for i, row in enumerate(rows):
            row_of.setdefault(row, i)  # at step 0 every row is the prompt; beam search expands row 0
        parents = torch.tensor([row_of[c[:-1]] for c in candidates], device=input_ids.device)
        tokens = input_ids[:, -1]
        transition = self._log_probs()[parents, tokens].tolist()
        for candidate, parent, step_score, stats in zip(
            candidates, parents.tolist(), transition, self._token_stats(parents, tokens)
        ):
            self.score[candidate] = self.score[rows[parent]] + step_score
            self.step_logprob[candidate] = step_score
            self.stats[candidate] = stats
        self.running.append(rows)
        self.candidates.append(candidates)
        return self._should_stop(candidates)

    def tree(self, returned: list[Ids], piece_text: Callable[[int], str]) -> list[list[BeamNode]]:
        """Every live beam after every step, best first, with `kept` marking the returned beams' paths."""
        on_path = {beam[: j + 1] for beam in returned for j in range(len(beam))}
        best_path = {returned[0][: j + 1] for j in range(len(returned[0]))} if returned else set()
        tree: list[list[BeamNode]] = []
        previous: dict[Ids, int] = {(): -1}
        for step, candidates in enumerate(self.candidates):
            following = self.running[step + 1] if step + 1 < len(self.running) else []
            finished_here = [beam for beam in returned if len(beam) == step + 1]
            members = [
                c for c in dict.fromkeys([*candidates[: self.num_beams], *following, *finished_here])
                if c in self.score and c[:-1] in previous
            ]
            members.sort(key=lambda c: -self.score[c])
            tree.append([
                BeamNode(parent=previous[c[:-1]], token_id=c[-1], score=self.score[c], kept=c in on_path,
                         text=piece_text(c[-1]), logprob=self.step_logprob[c], best=c in best_path)
                for c in members
            ])
            previous = {c: i for i, c in enumerate(members)}
        return tree
