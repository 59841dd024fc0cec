"""generate(prefix_ids=, prompt_tokens=): a completion that starts with forced tokens (a branch), checked
against transformers' own generate on the prompt plus those tokens and a float64 teacher-forced pass."""

from __future__ import annotations

import math

import pytest
import torch

import tokviz
from tokviz import InvalidInputError

from .test_generation import PROMPT, prompt_ids, script, scripted_lm  # noqa: F401 (a fixture)


def hf_continue(lm, ids: list[int], max_new_tokens: int) -> list[int]:
    tensor = torch.tensor([ids])
    with torch.no_grad():
        out = lm.model.generate(tensor, attention_mask=torch.ones_like(tensor), pad_token_id=2,
                                max_new_tokens=max_new_tokens, do_sample=False)
    return out[0, len(ids):].tolist()


def float64_logprobs(lm, ids: list[int]) -> torch.Tensor:
    with torch.no_grad():
        return torch.log_softmax(lm.model(torch.tensor([ids])).logits[0].double(), -1)


def test_a_branch_continues_as_transformers_does_after_the_forced_token(tiny_lm):
    ids = prompt_ids(tiny_lm, PROMPT)
    plain = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=4)
    alternative = plain.tokens[1].top[2].token_id  # the third candidate at the second generated token
    prefix = [plain.token_ids[0], alternative]
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=4, prefix_ids=prefix)
    assert result.token_ids == prefix + hf_continue(tiny_lm, ids + prefix, 4)
    assert [t.forced for t in result.tokens] == [True, True, False, False, False, False]
    assert result.params["prefix_ids"] == prefix


def test_forced_tokens_carry_the_models_own_numbers(tiny_lm):
    ids = prompt_ids(tiny_lm, PROMPT)
    prefix = [1234, 99]
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=2, prefix_ids=prefix, do_sample=True, temperature=0.7,
                             seed=0)
    logprobs = float64_logprobs(tiny_lm, ids + prefix)
    for j, token in enumerate(result.tokens[:2]):
        row = logprobs[len(ids) - 1 + j]
        assert token.forced and token.generated and token.index == len(ids) + j
        assert token.logprob == pytest.approx(float(row[prefix[j]]), abs=1e-5)
        assert token.rank == int((row > row[prefix[j]]).sum()) + 1
        assert token.sampled_prob is None  # nothing sampled it
    assert all(t.sampled_prob is not None for t in result.tokens[2:])
    # the prompt's own analysis is unchanged, and what it expects next is the row that scored the first forced token
    alone = tokviz.analyze(tiny_lm, PROMPT)
    assert [t.prob for t in result.prompt.tokens] == pytest.approx([t.prob for t in alone.tokens], abs=1e-6)
    assert [c.token_id for c in result.prompt.next] == [c.token_id for c in alone.next]
    assert result.text == "".join(t.text for t in result.tokens)


def test_a_branch_at_a_prompt_token_cuts_the_prompt_there(tiny_lm):
    ids = prompt_ids(tiny_lm, PROMPT)
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=3, prompt_tokens=4, prefix_ids=[777])
    assert result.prompt.token_ids == ids[:4]
    assert result.prompt.text == tiny_lm.tokenizer.decode(ids[:4])
    assert result.token_ids == [777, *hf_continue(tiny_lm, [*ids[:4], 777], 3)]
    assert result.tokens[0].index == 4
    logprobs = float64_logprobs(tiny_lm, [*ids[:4], 777])
    assert result.tokens[0].logprob == pytest.approx(float(logprobs[3, 777]), abs=1e-5)
    prompt_logprob = float(sum(logprobs[i, ids[i + 1]] for i in range(3)))
    assert result.prompt.perplexity == pytest.approx(math.exp(-prompt_logprob / 3), rel=1e-5)


def test_a_forced_end_of_text_ends_the_generation(scripted_lm):  # noqa: F811
    script(scripted_lm, PROMPT, [])
    result = tokviz.generate(scripted_lm, PROMPT, max_new_tokens=5, prefix_ids=[2])
    assert result.token_ids == [2] and result.stopped_by == "eos" and result.text == ""
    assert result.tokens[0].forced


def test_beam_search_after_a_forced_token_matches_transformers(tiny_lm):
    ids = prompt_ids(tiny_lm, PROMPT)
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=3, num_beams=3, prefix_ids=[500])
    tensor = torch.tensor([[*ids, 500]])
    with torch.no_grad():
        out = tiny_lm.model.generate(tensor, attention_mask=torch.ones_like(tensor), pad_token_id=2, max_new_tokens=3,
                                     num_beams=3, do_sample=False)
    assert result.token_ids == [500, *out[0, len(ids) + 1:].tolist()]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"prefix_ids": "abc"}, "list of token ids"),
    ({"prefix_ids": [-1]}, "not a token id"),
    ({"prefix_ids": [10**9]}, "not a token id"),
    ({"prompt_tokens": 0}, "prompt_tokens"),
    ({"prompt_tokens": 10**6}, "prompt's length"),
])
def test_bad_forcing_arguments_are_refused(tiny_lm, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.generate(tiny_lm, PROMPT, max_new_tokens=2, **kwargs)
