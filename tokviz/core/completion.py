"""A completion as it grows, one generated token at a time: its text, EOS, stop strings and streaming.

Pure bookkeeping, no model: tokens come in as ids (with the model's numbers for each, when known) and
come out as TokenInfos and text. Tokens that may still turn into a stop string are held back from the
stream, so what was streamed always equals the final result.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from .stats import RowStats, candidates
from .token_info import Candidate, TokenInfo
from .tokens import TextAssembler, Vocabulary

# "cut_off": a served model's connection ended mid-stream (the tokens received so far are kept).
STOP_REASONS = ("length", "eos", "stop", "cancelled", "cut_off")


@dataclass(frozen=True)
class StepStats:
    """The model's numbers for one chosen token: under the raw distribution (logprob, rank, entropy, top
    alternatives) and under the processed one it was sampled from (sampled_logprob; None: not defined).
    A served model may lack some: logprob None (only the processed one known), rank None (outside the
    server's top-k), entropy None (always)."""

    logprob: float | None
    rank: int | None
    entropy: float | None
    top: list[Candidate]
    sampled_logprob: float | None


def step_stats(vocabulary, stats: RowStats, sampled: list[float | None] | None = None,
               sampled_top: list[list[float]] | None = None) -> list[StepStats]:
    """Each row of the scoring core's statistics as a StepStats, the numbers a backend could not give (a NaN
    log-probability, rank 0, no entropy: see backends.protocol) as None. sampled: each row's log-probability
    under the distribution it was sampled from (default: none); sampled_top: each row's top candidates'
    probabilities under that distribution (default: unknown)."""
    logprobs, ranks, top_ids, top_probs = (v.tolist() for v in (stats.logprob, stats.rank, stats.top_ids,
                                                                 stats.top_probs))
    entropies = stats.entropy.tolist() if stats.entropy is not None else [None] * len(logprobs)
    sampled = sampled if sampled is not None else [None] * len(logprobs)
    sampled_top = sampled_top if sampled_top is not None else [None] * len(logprobs)
    return [StepStats(None if math.isnan(lp) else lp, rank or None, entropy, candidates(vocabulary, ids, probs, st),
                      s)
            for lp, rank, entropy, ids, probs, s, st in zip(logprobs, ranks, entropies, top_ids, top_probs, sampled,
                                                           sampled_top)]


class Completion:
    """Generated tokens -> TokenInfos and completion text: EOS, stop strings, held-back streaming."""

    def __init__(self, vocabulary: Vocabulary, prompt_ids: list[int], first_index: int, eos_ids: list[int],
                 scanner: StopScanner | None, on_token):
        self.vocabulary = vocabulary
        self.assembler = TextAssembler(vocabulary)
        for token_id in prompt_ids:  # continue the prompt's text, as the tokenizer would decode it
            self.assembler.push(token_id)
        self.first_index = first_index
        self.eos_ids = frozenset(eos_ids)
        self.scanner = scanner
        self.on_token = on_token
        self.tokens: list[TokenInfo] = []
        self._starts: list[int] = []  # where each token's text starts in the completion
        self._text = ""
        self._streamed = 0
        self.cut: int | None = None
        self.stop_string: str | None = None
        self.ended_by_eos = False

    @property
    def text(self) -> str:
        return self._text if self.cut is None else self._text[: self.cut]

    def stopped_by(self, cancelled: bool) -> str:
        """Why generation ended: a stop string wins over cancelling, which wins over EOS or the length."""
        if self.stop_string is not None:
            return "stop"
        if cancelled:
            return "cancelled"
        return "eos" if self.ended_by_eos else "length"

    def push(self, token_id: int, stats: StepStats | None, *, forced: bool = False, text: str | None = None) -> bool:
        """Add one token; True when generation must end here (EOS or a completed stop string). text: the
        token's text as a server streamed it (default: decoded from its bytes here)."""
        info = generated_token(self.vocabulary, self.first_index + len(self.tokens), token_id,
                               self.assembler.push(token_id) if text is None else text, stats)
        info.forced = forced
        self._starts.append(len(self._text))
        self.tokens.append(info)
        if token_id in self.eos_ids:
            self.ended_by_eos = True  # the EOS token is kept in tokens but is not completion text
        else:
            self._text += info.text
            found = self.scanner.find(self._text) if self.scanner is not None else None
            if found is not None:
                self.cut, self.stop_string = found
                keep = bisect.bisect_left(self._starts, self.cut)  # tokens starting before the stop
                del self.tokens[keep:], self._starts[keep:]
        done = self.ended_by_eos or self.stop_string is not None
        self._stream(final=done)
        return done

    def finish(self, generated: int | None = None):
        if generated is not None and self.stop_string is None:
            del self.tokens[generated:], self._starts[generated:]
        if self.stop_string is None:
            tail = self.assembler.finish()  # an unfinished character decodes to U+FFFD, as in tokenizers
            if tail and self.tokens:
                self.tokens[-1].text += tail
                if not self.ended_by_eos:
                    self._text += tail
        self._stream(final=True)

    def _stream(self, final: bool):
        if self.on_token is None:
            return
        if final or self.scanner is None:
            limit = len(self.tokens)
        else:  # hold back tokens that may yet belong to a stop string
            limit = bisect.bisect_left(self._starts, self.scanner.safe_end(self._text))
        while self._streamed < limit:
            self.on_token(self.tokens[self._streamed])
            self._streamed += 1


class StopScanner:
    """Finds stop strings in a growing text."""

    def __init__(self, stops: list[str]):
        self.stops = stops

    def find(self, text: str) -> tuple[int, str] | None:
        """(start, stop string) of the earliest stop string in text."""
        hits = [(text.find(s), s) for s in self.stops if s in text]
        return min(hits) if hits else None

    def safe_end(self, text: str) -> int:
        """Text before this offset cannot become part of a stop string, whatever comes next."""
        end = len(text)
        for s in self.stops:
            for i in range(max(0, len(text) - len(s) + 1), end):
                if s.startswith(text[i:]):
                    end = i
                    break
        return end


def generated_token(vocabulary: Vocabulary, index: int, token_id: int, text: str,
                    stats: StepStats | None) -> TokenInfo:
    """The TokenInfo of a generated token (no numbers: a beam's token known only by its id)."""
    if stats is None:
        return TokenInfo(index=index, token_id=token_id, text=text, bytes=vocabulary.bytes_of(token_id),
                         prob=None, logprob=None, rank=None, entropy=None, generated=True)
    return TokenInfo(
        index=index, token_id=token_id, text=text, bytes=vocabulary.bytes_of(token_id),
        prob=None if stats.logprob is None else math.exp(stats.logprob), logprob=stats.logprob, rank=stats.rank,
        entropy=stats.entropy,
        top=stats.top, generated=True,
        sampled_prob=None if stats.sampled_logprob is None else math.exp(stats.sampled_logprob),
    )
