"""generate(): text generation through transformers' own `model.generate`, with each new token's numbers.

No extra forward pass per step. Three small taps ride along with `model.generate`:
- a forward hook on the model keeps the raw logits of the latest step (prob, logprob, rank, entropy, top);
- a pass-through LogitsProcessor, last in our list, sees the processed scores the token is chosen from
  (sampled_prob) and the running sequences;
- a StoppingCriteria sees each chosen token at once: it builds the TokenInfo, streams it to `on_token`,
  and stops on stop strings or cancellation.
Sampling's temperature / top-k / top-p are passed as transformers' own warpers in our processor list (in
transformers' order), so the tap after them sees exactly the distribution that is sampled from.
The prompt's probabilities come from one forward pass over the prompt minus its last token; `generate`
continues from that pass's KV cache, so the prompt is not run twice (a recurrent state, which cannot say
how many tokens it holds, is not handed on: generate then reads the prompt itself).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
from transformers import LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

from ...checks import check_text
from ...core.beams import Beam, BeamNode
from ...core.completion import Completion, StepStats, StopScanner, step_stats
from ...core.decoding import DecodingParams
from ...core.encoding import Encoded, encode
from ...core.tokens import Vocabulary
from ...errors import InvalidInputError
from .beam_recorder import BeamRecorder
from .compat import cache_holds, cache_inputs, cache_reorderable, output_cache
from .forcing import check_prefix, cut_prompt, split_prompt_stats
from .forward import final_states, pass_stats, score

if TYPE_CHECKING:
    from .model import LanguageModel
from ...core.generation_result import Generation
from ...core.prompt_result import TextScores, prompt_analysis, token_infos
from ...core.stats import RowStats, candidates, row_stats
from ...core.token_info import Candidate, TokenInfo
from .generation_hooks import ProcessedTap, RawLogitsTap, sampling_warpers, seeded

BEAM_SAMPLING_REASON = (
    "beam sampling draws (beam, token) pairs jointly across all beams, weighted by each beam's running score, "
    "so a token has no probability of its own under the distribution it was sampled from"
)


@torch.inference_mode()
def generate_local(lm: LanguageModel, prompt: str, decoding: DecodingParams, *, alternatives: int,
                   on_token: Callable[[TokenInfo], object] | None, cancel: threading.Event | None, chat: bool,
                   prefix_ids: list[int] | None, prompt_tokens: int | None) -> Generation:
    """tokviz.generate in this process (see its docstring), with transformers' own `model.generate`."""
    max_new_tokens, do_sample, num_beams, seed = (decoding.max_new_tokens, decoding.do_sample, decoding.num_beams,
                                                  decoding.seed)
    stops = list(decoding.stop)
    prompt_text = _chat_prompt(lm, prompt) if chat else prompt
    forced = check_prefix(lm, prefix_ids)
    encoded, cut_text = cut_prompt(lm, _encode_prompt(lm, prompt_text, max_new_tokens + len(forced), chat),
                                   prompt_tokens)
    prompt_text = cut_text if cut_text is not None else prompt_text
    eos_ids = _eos_ids(lm)
    details = {"length_penalty": _length_penalty(lm) if num_beams > 1 else None, "alternatives": alternatives,
               "chat": chat, "eos_token_ids": eos_ids, "prefix_ids": forced, "prompt_tokens": prompt_tokens}
    unavailable = {"sampled_prob": BEAM_SAMPLING_REASON} if do_sample and not decoding.samples_each_token else {}
    run = _Run(lm, encoded, eos_ids, alternatives, StopScanner(stops) if stops else None, on_token, cancel,
               sampled_prob="sampled_prob" not in unavailable)
    with seeded(seed if do_sample else None, lm.device), RawLogitsTap(lm.model) as raw:
        run.raw = raw
        fed = Encoded(encoded.context, encoded.ids + forced)  # what the model reads before decoding starts
        prefix_stats, cache = _prompt_prefix(lm, fed, num_beams, alternatives)
        prefix_stats, forced_steps = split_prompt_stats(prefix_stats, encoded, len(forced), lm.vocabulary)
        run.forced = list(zip(forced, forced_steps))
        warpers = (sampling_warpers(decoding.temperature, decoding.top_k, decoding.top_p, num_beams, eos_ids)
                   if do_sample else [])
        kwargs = dict(
            max_new_tokens=max_new_tokens, do_sample=do_sample, num_beams=num_beams,
            eos_token_id=eos_ids or None, pad_token_id=_pad_id(lm, eos_ids),
            logits_processor=LogitsProcessorList([*warpers, run.processed]),
        )
        if do_sample:  # our warpers above replace transformers' (and the model's own sampling defaults)
            kwargs.update(temperature=1.0, top_k=0, top_p=1.0, min_p=None, typical_p=1.0, epsilon_cutoff=0.0,
                          eta_cutoff=0.0)
        input_ids = fed.tensor(lm.device)
        inputs = dict(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                      **cache_inputs(lm.model, cache))
        if run.forced_ends():  # a forced token is EOS or completes a stop string: nothing to decode
            result = _Outcome(None, run.completion(on_token), False)
        elif num_beams == 1:
            result = run.sample(inputs, kwargs)
        else:
            if not _beams_can_cache(lm, input_ids):
                kwargs["use_cache"] = False  # transformers refuses beams over a state it cannot reorder
            result = run.beam_search(inputs, kwargs, num_beams)
    after_prompt = run.forced[0][1] if run.forced else result.first  # the distribution after the prompt
    scores = TextScores(token_infos(lm.vocabulary, encoded.ids, prefix_stats, encoded.first_predicted),
                        after_prompt.top, after_prompt.entropy, list(encoded.context))
    analysis = prompt_analysis(lm, prompt_text, scores, alternatives)
    completion = result.completion
    stopped_by = completion.stopped_by(result.cancelled)
    after = _distribution_after(lm, encoded, completion.tokens, alternatives) if stopped_by != "eos" else None
    return Generation(prompt=analysis, tokens=completion.tokens, text=completion.text,
                      stopped_by=stopped_by, beams=result.beams, beam_tree=result.tree,
                      decoding=decoding, details=details, stop_string=completion.stop_string, unavailable=unavailable,
                      next=after[0] if after else [], next_entropy=after[1] if after else None)


def _distribution_after(lm: LanguageModel, encoded: Encoded, tokens: list[TokenInfo],
                        alternatives: int) -> tuple[list[Candidate], float]:
    """What the model predicts after the last generated token. `generate` never computes it (it stops
    before the next step), so it costs one more pass, over prompt and completion; only its last row
    goes through the head."""
    extended = Encoded(encoded.context, encoded.ids + [t.token_id for t in tokens])
    (stats,), _ = score(lm, [extended.request([], with_next=True)], alternatives)
    return (candidates(lm.vocabulary, stats.top_ids[0].tolist(), stats.top_probs[0].tolist()),
            float(stats.entropy[0]))


@dataclass
class _Outcome:
    """What one run of transformers' generate left: the first step's numbers (the distribution after the
    prompt), the completion, whether it was cancelled, and for beam search the beams and their tree."""

    first: StepStats | None
    completion: Completion
    cancelled: bool
    beams: list[Beam] = field(default_factory=list)
    tree: list[list[BeamNode]] = field(default_factory=list)


class _Run:
    """The state of one generate() call, shared by the taps and the stopping criteria."""

    def __init__(self, lm: LanguageModel, encoded: Encoded, eos_ids: list[int], alternatives: int,
                 scanner: StopScanner | None, on_token, cancel, sampled_prob: bool = True):
        self.lm = lm
        self.sampled_prob = sampled_prob
        self.vocabulary = lm.vocabulary
        self.encoded = encoded
        self.eos_ids = eos_ids
        self.alternatives = alternatives
        self.scanner = scanner
        self.on_token = on_token
        self.cancel = cancel
        self.raw: RawLogitsTap | None = None
        self.processed = ProcessedTap()
        self.cancelled = False
        self.forced: list[tuple[int, StepStats]] = []  # (token id, its numbers) the completion starts with

    def stats(self, rows: torch.Tensor, targets: torch.Tensor) -> list[StepStats]:
        """This step's numbers for targets[i] chosen from running row rows[i]."""
        processed = self.processed.scores[rows] if self.sampled_prob else None
        return _row_stats(self.vocabulary, self.raw.last[rows], processed, targets, self.alternatives)

    def completion(self, on_token=None) -> Completion:
        """A fresh completion, already holding the forced tokens."""
        completion = Completion(self.vocabulary, self.encoded.all_ids, len(self.encoded.ids), self.eos_ids,
                                self.scanner, on_token)
        for token_id, stats in self.forced:
            if completion.push(token_id, stats, forced=True):
                break
        return completion

    def forced_ends(self) -> bool:
        """Whether the forced tokens already end the completion (EOS, or a stop string)."""
        if not self.forced:
            return False
        probe = self.completion()
        return probe.ended_by_eos or probe.stop_string is not None

    def cancel_requested(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def sample(self, inputs: dict, kwargs: dict):
        """Greedy or sampling: each token is built, checked and streamed by a stopping criterion."""
        completion = self.completion(self.on_token)
        criterion = _TokenCriterion(self, completion)
        sequences = self.lm.model.generate(**inputs, **kwargs, stopping_criteria=StoppingCriteriaList([criterion]))
        completion.finish(len(self.forced) + sequences.shape[1] - inputs["input_ids"].shape[1])
        return _Outcome(criterion.first, completion, criterion.cancelled)

    def beam_search(self, inputs: dict, kwargs: dict, num_beams: int):
        """Beam search: a BeamRecorder sees every step's candidates; tokens are built at the end."""
        prompt_len = inputs["input_ids"].shape[1]
        recorder = BeamRecorder(
            prompt_len, num_beams, running_ids=lambda: self.processed.input_ids,
            log_probs=lambda: self.processed.scores, token_stats=self.stats, should_stop=self._beam_stop,
        )
        kwargs.update(num_return_sequences=num_beams, return_dict_in_generate=True, output_scores=True)
        out = self.lm.model.generate(**inputs, **kwargs, stopping_criteria=StoppingCriteriaList([recorder]))
        lengths = (out.beam_indices != -1).sum(-1).tolist()
        returned = [tuple(out.sequences[b, prompt_len : prompt_len + n].tolist()) for b, n in enumerate(lengths)]
        beams = []
        for ids, beam_score in zip(returned, out.sequences_scores.tolist()):
            text_only = self.completion()
            for token_id in ids:
                if text_only.push(token_id, None):
                    break
            text_only.finish()
            beams.append(Beam(text=text_only.text, token_ids=[t.token_id for t in text_only.tokens], score=beam_score,
                              length=len(ids), length_penalty=_length_penalty(self.lm)))
        best = returned[0]
        completion = self.completion(self.on_token)
        for j, token_id in enumerate(best):
            if completion.push(token_id, recorder.stats[best[: j + 1]]):
                break
        completion.finish()
        first = recorder.stats[recorder.candidates[0][0]]
        tree = recorder.tree(returned, self.vocabulary.piece_text)
        return _Outcome(first, completion, self.cancelled, beams, tree)

    def _beam_stop(self, candidates: list[tuple[int, ...]]) -> torch.Tensor:
        if self.cancel_requested():
            self.cancelled = True
            flags = [True] * len(candidates)
        elif self.scanner is not None:
            eos = set(self.eos_ids)
            flags = [
                self.scanner.find(b"".join(self.vocabulary.bytes_of(i) for i in ids if i not in eos)
                                  .decode("utf-8", "ignore")) is not None
                for ids in candidates
            ]
        else:
            flags = [False] * len(candidates)
        return torch.tensor(flags, dtype=torch.bool, device=self.lm.device)


class _TokenCriterion(StoppingCriteria):
    """Called by `generate` right after each token is chosen: record it, stream it, maybe stop."""

    def __init__(self, run: _Run, completion: Completion):
        self.run = run
        self.completion = completion
        self.first: StepStats | None = None  # the first step's numbers: the prompt's next-token distribution
        self.stopped = False
        self.cancelled = False

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        # Once stopped, later calls (a deferred stop check runs one step more, then undoes it) are ignored.
        if not self.stopped:
            token = input_ids[:1, -1]
            stats = self.run.stats(torch.zeros(1, dtype=torch.long, device=token.device), token)[0]
            self.first = self.first or stats
            self.stopped = self.completion.push(int(token[0]), stats)
            if not self.stopped and self.run.cancel_requested():
                self.stopped = self.cancelled = True
        return torch.full((input_ids.shape[0],), self.stopped, dtype=torch.bool, device=input_ids.device)


def _row_stats(vocabulary: Vocabulary, raw: torch.Tensor, processed: torch.Tensor | None, targets: torch.Tensor,
               k: int) -> list[StepStats]:
    """Raw-distribution statistics of targets[i] under raw[i], and the probabilities under the processed
    scores processed[i] (what was actually sampled from; -inf for removed tokens; None: not available) of
    targets[i] and of its top candidates."""
    stats = row_stats(raw, targets, k)
    if processed is None:
        return step_stats(vocabulary, stats)
    if torch.equal(raw.float(), processed.float()):  # nothing processed: the same numbers, bit for bit
        return step_stats(vocabulary, stats, stats.logprob.tolist(), stats.top_probs.tolist())
    logprobs = processed.double().log_softmax(-1)  # normalised in float64, as the raw numbers are
    sampled = logprobs.gather(-1, targets[:, None]).squeeze(-1).tolist()
    return step_stats(vocabulary, stats, sampled, logprobs.gather(-1, stats.top_ids).exp().tolist())


def _prompt_prefix(lm: LanguageModel, encoded: Encoded, num_beams: int,
                   alternatives: int) -> tuple[RowStats | None, object]:
    """One pass over the prompt minus its last token: the statistics of every predicted prompt token, and a
    KV cache that `generate` continues from (it then runs only the last prompt token before generating)."""
    ids = encoded.all_ids
    if len(ids) < 2:
        return None, None
    out = final_states(lm, torch.tensor([ids[:-1]], device=lm.device), use_cache=True)
    request = encoded.request()  # its rows all lie in the pass: the last one predicts the last token
    stats = pass_stats(lm, out, [request], alternatives)[0] if request.rows else None
    # A recurrent state cannot say how many tokens it holds: generate then reads the whole prompt itself
    # (the prompt's numbers above stay exact; only the prompt's pass is repeated).
    cache = out.cache if cache_holds(out.cache, len(ids) - 1) else None
    if cache is not None and num_beams > 1:
        if hasattr(cache, "batch_repeat_interleave"):
            cache.batch_repeat_interleave(num_beams)  # beam search does not expand a cache it is given
        else:
            cache = None
    return stats, cache


def _beams_can_cache(lm: LanguageModel, input_ids: torch.Tensor) -> bool:
    """Whether beam search can keep the model's cache: one token's pass shows what kind of cache it makes."""
    out = lm.model(input_ids=input_ids[:, :1], use_cache=True)
    return cache_reorderable(lm.model, output_cache(out))


def _chat_prompt(lm: LanguageModel, prompt) -> str:
    check_text(prompt, "prompt")
    if not getattr(lm.tokenizer, "chat_template", None):
        raise InvalidInputError(f"{lm.name}'s tokenizer has no chat template; use chat=False")
    return lm.tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                            add_generation_prompt=True)


def _encode_prompt(lm: LanguageModel, text: str, max_new_tokens: int, chat: bool) -> Encoded:
    encoded = encode(lm, text, what="prompt", room=max_new_tokens)
    if chat and encoded.context and encoded.ids[: len(encoded.context)] == encoded.context:
        return Encoded(context=[], ids=encoded.ids)  # the chat template already wrote the BOS token
    return encoded


def _eos_ids(lm: LanguageModel) -> list[int]:
    config = getattr(lm.model, "generation_config", None)
    eos = getattr(config, "eos_token_id", None)
    if eos is None:
        eos = lm.tokenizer.eos_token_id
    ids = [eos] if isinstance(eos, int) else list(eos or [])
    return [int(i) for i in dict.fromkeys(ids)]


def _pad_id(lm: LanguageModel, eos_ids: list[int]) -> int | None:
    # Models without a pad token pad with EOS (what transformers would do, minus its warning).
    for candidate in (getattr(lm.model.generation_config, "pad_token_id", None), lm.tokenizer.pad_token_id):
        if isinstance(candidate, int):
            return candidate
    return eos_ids[0] if eos_ids else None


def _length_penalty(lm: LanguageModel) -> float:
    value = getattr(lm.model.generation_config, "length_penalty", None)
    return 1.0 if value is None else float(value)
