"""vLLM's and SGLang's native paths against REPLAYS of their documented response shapes (tests/engine_replay.py,
taken from each engine's source), answering with a real tiny model's numbers: not real servers. They check
detection, the id paths (no realignment, no text lookup), the numbers against float64 torch, the repeat
probe, and that a server that is neither keeps the OpenAI echo path."""

from __future__ import annotations

import math

import pytest
import torch

import tokviz

from .conftest import make_tiny_llama
from .engine_replay import EngineReplay

TEXT = "Le chat dort. 東京は日本の首都です。 🙂 8 +"


@pytest.fixture(scope="module")
def model(tokenizer):
    return make_tiny_llama(len(tokenizer), seed=11)


@pytest.fixture(params=["vllm", "sglang"])
def replay(request, model, tokenizer):
    server = EngineReplay(model, tokenizer, request.param)
    yield server
    server.close()


def reference(model, ids: list[int]) -> torch.Tensor:
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].double().log_softmax(-1)


def test_the_engine_is_detected_and_spoken_natively(replay, tokenizer):
    served = tokviz.connect(replay.url, tokenizer=tokenizer, logprobs=5)
    assert served.engine == replay.engine
    assert served.engine_version == ("0.11.2" if replay.engine == "vllm" else None)
    assert served.alignment == "aligned" and served.repeat_change == 0.0
    sent = [path for path, _ in replay.requests]
    assert "/v1/completions" in sent if replay.engine == "vllm" else "/generate" in sent
    assert all(isinstance(body.get("prompt", body.get("input_ids")), list) for _, body in replay.requests)


def test_native_numbers_are_the_models_by_id(replay, model, tokenizer):
    served = tokviz.connect(replay.url, tokenizer=tokenizer, logprobs=5)
    result = tokviz.analyze(served, TEXT, alternatives=5)
    ids = tokenizer(TEXT)["input_ids"]
    expected = reference(model, ids)
    assert result.token_ids == ids and result.tokens[0].logprob is None
    for token in result.tokens[1:]:
        row = expected[token.index - 1]
        assert token.logprob == pytest.approx(row[token.token_id].item(), abs=1e-9)
        true_rank = int((row > row[token.token_id]).sum()) + 1
        if replay.engine == "vllm":  # vLLM gives every prompt token's rank
            assert token.rank == true_rank
        else:  # SGLang only through its top-k
            assert token.rank == (true_rank if true_rank <= 5 else None)
        assert [c.token_id for c in token.top] == row.topk(5).indices.tolist()
        assert token.entropy is None
    assert [c.token_id for c in result.next] == expected[-1].topk(5).indices.tolist()
    assert "entropy" in result.unavailable and "repeat" not in result.unavailable


def test_scores_through_the_native_path_agree_with_the_local_backend(replay, model, tokenizer):
    served = tokviz.connect(replay.url, tokenizer=tokenizer, logprobs=5)
    local = tokviz.LanguageModel(model=model, tokenizer=tokenizer, name="tiny")
    a, b = tokviz.analyze(served, TEXT, alternatives=5), tokviz.analyze(local, TEXT, alternatives=5)
    assert [t.token_id for t in a.tokens] == [t.token_id for t in b.tokens]
    for x, y in zip(a.tokens[1:], b.tokens[1:]):
        assert math.isclose(x.logprob, y.logprob, abs_tol=1e-5)
        assert [c.token_id for c in x.top] == [c.token_id for c in y.top]


def test_the_repeat_probe_reports_numbers_that_change_between_identical_requests(model, tokenizer):
    replay = EngineReplay(model, tokenizer, "vllm", drift=0.02)  # as vLLM with prefix caching can
    try:
        served = tokviz.connect(replay.url, tokenizer=tokenizer, logprobs=5)
        assert served.repeat_change == pytest.approx(0.02, abs=1e-9)
        result = tokviz.analyze(served, TEXT, alternatives=5)
        assert "0.02 nats" in result.unavailable["repeat"] and "42019" in result.unavailable["repeat"]
    finally:
        replay.close()


def test_without_a_local_tokenizer_the_echo_path_is_kept(replay):
    served = tokviz.connect(replay.url, probe=False)
    assert served.tokenizer is None and served.engine == "openai"
