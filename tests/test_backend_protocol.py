"""The backend protocol: a backend written outside tokviz (tests/recording_backend.py) works with analyze,
generate, the scoring core's analyses and TokenViz, and what it declares unsupported is refused by every
analysis that needs it, with its own reason."""

from __future__ import annotations

import pytest
import torch

import tokviz
from tests.recording_backend import NO_BEAMS, NO_LAYERS, RecordingBackend
from tests.strips import strip_tokens

TEXT = "The capital of France is Paris, and the capital of Italy is"


@pytest.fixture
def backend(tiny_lm):
    return RecordingBackend(tiny_lm)


def float64_logprobs(lm, ids: list[int]) -> torch.Tensor:
    """log P(ids[i] | ids[:i]) for i >= 1, from the model run whole in float64 (a copy: the fixture stays)."""
    import copy

    model = copy.deepcopy(lm.model).double()
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    return torch.log_softmax(logits, -1)[:-1].gather(-1, torch.tensor(ids[1:])[:, None])[:, 0]


def test_it_is_a_backend_and_nothing_tokviz_made(backend):
    assert isinstance(backend, tokviz.Backend)
    assert not isinstance(backend, (tokviz.LanguageModel, tokviz.ServedModel))
    assert not isinstance(object(), tokviz.Backend)


def test_analyze_goes_through_score_text_and_gives_the_models_numbers(backend, tiny_lm):
    result = tokviz.analyze(backend, TEXT, alternatives=5)
    assert backend.calls == ["score_text", "score"]
    assert result.model_name == backend.name
    ids = tiny_lm.tokenizer(TEXT)["input_ids"]
    expected = float64_logprobs(tiny_lm, ids)
    got = torch.tensor([t.logprob for t in result.tokens[1:]], dtype=torch.float64)
    torch.testing.assert_close(got, expected, atol=2e-5, rtol=0)
    local = tokviz.analyze(tiny_lm, TEXT, alternatives=5)
    assert [t.token_id for t in result.tokens] == [t.token_id for t in local.tokens]
    assert [[c.token_id for c in t.top] for t in result.tokens] == [[c.token_id for c in t.top] for t in local.tokens]
    assert result.perplexity == pytest.approx(local.perplexity, rel=1e-5)


def test_analyses_on_the_scoring_core_call_score(backend, tiny_lm):
    ppl = tokviz.perplexity(backend, TEXT)
    assert backend.calls == ["score"]
    assert ppl.perplexity == pytest.approx(tokviz.perplexity(tiny_lm, TEXT).perplexity, rel=1e-5)
    labels = tokviz.score_labels(backend, "Review: {x} Sentiment: {y}", "great", [" good", " bad"])
    assert labels.probs == pytest.approx(
        tokviz.score_labels(tiny_lm, "Review: {x} Sentiment: {y}", "great", [" good", " bad"]).probs, rel=1e-5)


def test_generate_goes_through_the_backend(backend, tiny_lm):
    result = tokviz.generate(backend, TEXT, max_new_tokens=4)
    assert backend.calls == ["generate"]
    assert result.token_ids == tokviz.generate(tiny_lm, TEXT, max_new_tokens=4).token_ids
    assert result.decoding == tokviz.DecodingParams(max_new_tokens=4)


def test_what_it_cannot_do_is_refused_with_its_own_reason(backend):
    with pytest.raises(tokviz.CapabilityError, match="beam search cannot run on recorded") as caught:
        tokviz.generate(backend, TEXT, num_beams=2)
    assert NO_BEAMS in str(caught.value) and caught.value.capability == "beams"
    with pytest.raises(tokviz.CapabilityError, match=NO_LAYERS):
        tokviz.logit_lens(backend, TEXT)
    with pytest.raises(tokviz.CapabilityError, match=NO_LAYERS):
        tokviz.layer_law(backend, [TEXT])
    assert backend.calls == []  # refused before anything ran
    with pytest.raises(tokviz.InvalidInputError, match=r"alternatives must be between 1 and 50"):
        tokviz.analyze(backend, TEXT, alternatives=51)


def test_a_thing_that_is_no_backend_gets_a_clear_error():
    for call in (lambda: tokviz.analyze("gpt2", TEXT), lambda: tokviz.generate(None, TEXT),
                 lambda: tokviz.TokenViz("gpt2", prompt=TEXT)):
        with pytest.raises(tokviz.InvalidInputError, match=r"needs a model: tokviz.load_model.*got (str|NoneType)"):
            call()


def test_tokenviz_syncs_what_the_backend_gives_and_switches_off_what_it_cannot(backend):
    w = tokviz.TokenViz(backend, prompt=TEXT, alternatives=5, max_new_tokens=3)
    assert backend.calls == ["score_text", "score"]
    assert w.model_name == backend.label and w.unsupported == {"num_beams": NO_BEAMS}
    assert w.limits["alternatives"]["high"] == 50
    w.generate()
    assert backend.calls[-1] == "generate" and len(strip_tokens(w.generation_data)) == 3
