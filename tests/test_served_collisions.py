"""Candidate texts several tokens share, against the real llama-cpp-python server: it keys each position's
candidates by their text with invalid UTF-8 dropped, so " " (p = 0.996 after "8 +") and every space +
partial character land on one key, and the last (least probable) writer's number wins. On held-out prompts
the served numbers shown as known must be the local model's (within the 4-bit weights' tolerance)."""

from __future__ import annotations

import math

import pytest

import tokviz
from tokviz.backends.served.realign import score_text

from .served_server import requires_server

pytestmark = [requires_server, pytest.mark.slow]  # the real server, on the default model

ARITHMETIC = "12 + 7 = 19. 30 + 12 = 42. 8 +"
HELD_OUT = [
    ARITHMETIC,
    "Le chat dort sur le canapé. 日本の首都は東京です。 🙂🎉 The end.",
    "Voici une phrase en français, avec des accents: élève, où, garçon.",
    "Tokyo: 東京は日本の首都で、大阪は二番目に大きい都市です。",
    "Party time 🎉🎉 with friends 👩‍👩‍👧 and cake 🍰!",
    "for i in range(10):\n    print(i * i)",
]


def test_the_confident_space_is_shown_with_its_own_number(served, default_lm):
    remote = tokviz.analyze(served, ARITHMETIC, alternatives=20)
    local = tokviz.analyze(default_lm, ARITHMETIC, alternatives=20)
    local_space = local.next[0]
    assert local_space.text == " " and local_space.prob > 0.99  # the local model is sure of " "
    shown = {c.text: c.prob for c in remote.next}
    assert abs(math.log(shown[" "]) - math.log(local_space.prob)) < 1.0


def test_a_shared_candidate_text_is_never_shown_where_keys_collided(served):
    text = HELD_OUT[1]  # Japanese and emoji: many pieces of one character, whose texts the server empties
    k = served.logprobs
    raw = served.prompt_logprobs(text, k)
    remote = tokviz.analyze(served, text, alternatives=k)
    vocabulary = served.vocabulary
    collided = 0
    for p, entry in enumerate(raw.top):  # shifted: entry p is the distribution that predicts token p + 1
        if entry is None or len(entry) > k:
            continue
        collided += 1
        shown = remote.next if p + 1 == len(remote.tokens) else remote.tokens[p + 1].top
        assert not [c.text for c in shown if vocabulary.shared_text(c.text)]
        if p + 1 < len(remote.tokens) and vocabulary.shared_text(raw.tokens[p + 1]):
            assert remote.tokens[p + 1].logprob is None
    assert collided >= 3
    assert "share" in remote.unavailable["candidates"]


def test_held_out_prompts_known_numbers_are_the_local_models(served, default_lm):
    worst = 0.0
    agree = compared = left_out = 0
    for text in HELD_OUT:
        remote = tokviz.analyze(served, text, alternatives=20)
        local = tokviz.analyze(default_lm, text, alternatives=20)
        assert remote.token_ids == local.token_ids
        positions = score_text(served, text, 20)  # the realigned positions: which left a shared text out
        for i, (r, loc) in enumerate(zip([*remote.tokens, None], [*local.tokens, None])):
            top_r = remote.next if r is None else r.top
            top_l = local.next if loc is None else loc.top
            if r is not None and r.logprob is not None:
                worst = max(worst, abs(r.logprob - loc.logprob))
                assert abs(r.logprob - loc.logprob) <= 1.0, (text, i, r.text)
            by_id = {c.token_id: c.prob for c in top_l}
            # every candidate shown with a number: the local model's number for that token (above 5%: below,
            # the server's 4-bit weights alone move a probability by more than a nat)
            for c in top_r:
                if c.token_id in by_id and by_id[c.token_id] > 0.05:
                    gap = abs(math.log(c.prob) - math.log(by_id[c.token_id]))
                    worst = max(worst, gap)
                    assert gap <= 1.0, (text, i, c.text, c.prob, by_id[c.token_id])
            position = positions.next if r is None else positions.positions[i]
            if position is None or not top_r:
                continue
            if position.ambiguous:
                left_out += 1
                continue
            compared += 1
            agree += top_r[0].token_id == top_l[0].token_id
    print(f"\nheld-out prompts: largest |log p difference| {worst:.3f} nats; top-1 agreement {agree}/{compared} "
          f"where unambiguous; {left_out} positions with a shared text left out")
    assert worst <= 1.0
    assert compared >= 50 and agree / compared >= 0.9
