"""Hand-made view payloads following docs/view-payload.md (no model needed).

They include the awkward cases the view must draw correctly: an emoji split into partial-byte tokens,
whitespace-only tokens, special tokens, and token text that looks like HTML.
"""

from __future__ import annotations

import math
import random

HTML_IMG = "<img src=x onerror=alert(1)>"
HTML_SCRIPT = "<script>alert(1)</script>"
HTML_BREAKOUT = "</script><script>alert(1)</script>"

# id -> piece (the token's own text, partial bytes, or special)
PIECES: dict[str, object] = {
    "504": "The",
    "3575": " capital",
    "282": " of",
    "4649": " France",
    "314": " is",
    "198": "\n",
    "197": "\t",
    "220": "  ",
    "9001": {"bytes": "f09f"},
    "9002": {"bytes": "98"},
    "9003": {"bytes": "80"},
    "9100": HTML_IMG,
    "9101": HTML_SCRIPT,
    "9102": HTML_BREAKOUT,
    "1": {"special": "<|endoftext|>"},
    "7042": " Paris",
    "9": " Berlin",
    "11": ",",
    "13": ".",
    "260": " the",
    "5": " a",
}

# (id, text in context); the emoji's first two tokens carry no text, the third carries the character
PROMPT: list[tuple[int, str]] = [
    (504, "The"),
    (3575, " capital"),
    (282, " of"),
    (4649, " France"),
    (314, " is"),
    (198, "\n"),
    (197, "\t"),
    (220, "  "),
    (9001, ""),
    (9002, ""),
    (9003, "\U0001f600"),
    (9100, HTML_IMG),
    (9101, HTML_SCRIPT),
    (9102, HTML_BREAKOUT),
    (1, "<|endoftext|>"),
]
PROMPT_TEXT = "".join(t for _, t in PROMPT)
CAND_POOL = [7042, 9, 11, 13, 260, 5, 9100, 9101, 198]


def _top(rng: random.Random, actual: int, k: int, actual_rank: int | None) -> list[list[float]]:
    """k candidates, best first, probabilities decreasing; `actual` at `actual_rank` (1-based) if given."""
    pool = [c for c in CAND_POOL if c != actual]
    rng.shuffle(pool)
    ids = pool[:k]
    if actual_rank is not None and actual_rank <= k:
        ids = ids[: k - 1]
        ids.insert(actual_rank - 1, actual)
    probs = sorted((rng.random() for _ in ids), reverse=True)
    total = sum(probs) * 1.3
    return [[i, round(p / total, 4)] for i, p in zip(ids, probs, strict=True)]


def _tok(rng, tid, text, i, k=5):
    if i == 0:
        return {"id": tid, "t": text, "p": None, "r": None, "h": None, "top": None}
    rank = (i % 7) + 1
    top = _top(rng, tid, k, rank)
    p = next((pr for cid, pr in top if cid == tid), 0.0001)
    return {"id": tid, "t": text, "p": p, "r": rank if rank <= k else rank * 40, "h": round(0.3 + i % 5, 3), "top": top}


def analysis(k: int = 5) -> dict:
    rng = random.Random(1)
    toks = [_tok(rng, tid, text, i, k) for i, (tid, text) in enumerate(PROMPT)]
    return {
        "k": k,
        "pieces": dict(PIECES),
        "tokens": toks,
        "next": _top(rng, 7042, k, 1),
        "perplexity": 12.3,
    }


GEN = [(7042, " Paris"), (11, ","), (260, " the"), (9100, HTML_IMG), (13, ".")]


def generation(n: int | None = None, *, include_prompt: bool = False, stopped_by: str | None = "length") -> dict:
    """Generated tokens (g=1, with sampled probability sp); the first n only while streaming."""
    rng = random.Random(2)
    toks = []
    for j, (tid, text) in enumerate(GEN[:n] if n is not None else GEN):
        t = _tok(rng, tid, text, j + 1)
        t["g"] = 1
        t["sp"] = round(min(1.0, (t["p"] or 0) * 1.8), 4)
        toks.append(t)
    if include_prompt:
        toks = analysis()["tokens"] + toks
    return {"k": 5, "pieces": dict(PIECES), "tokens": toks, "stopped_by": stopped_by}


def tokens_state(**traits) -> dict:
    state = {
        "_kind": "tokens",
        "prompt": PROMPT_TEXT,
        "max_new_tokens": 20,
        "temperature": 1.0,
        "do_sample": False,
        "top_k": 0,
        "top_p": 1.0,
        "num_beams": 1,
        "alternatives": 5,
        "stop_at_newline": False,
        "color_by": "prob",
        "prob_mode": "raw",
        "status": "idle",
        "error": "",
        "analysis": analysis(),
        "generation": {},
        "selected": {},
        "model_name": "test-model",
        "interactive": True,
    }
    state.update(traits)
    return state


def big_analysis(n: int = 2000, k: int = 10) -> dict:
    """A long prompt for render timing: n tokens with k candidates each."""
    rng = random.Random(3)
    words = [" the", " model", " token", "\n", " of", ",", " probability", "\t", " a", "."]
    pieces = {str(1000 + i): w for i, w in enumerate(words)}
    toks = []
    for i in range(n):
        tid = 1000 + rng.randrange(len(words))
        if i == 0:
            toks.append({"id": tid, "t": pieces[str(tid)], "p": None, "r": None, "h": None, "top": None})
            continue
        cands = rng.sample(range(1000, 1000 + len(words)), k)
        top = [[c, round(0.5 / (j + 1), 4)] for j, c in enumerate(cands)]
        p = next((pr for c, pr in top if c == tid), 0.001)
        toks.append({"id": tid, "t": pieces[str(tid)], "p": p, "r": rng.randint(1, 3000), "h": rng.random() * 6, "top": top})
    return {"k": k, "pieces": pieces, "tokens": toks, "next": toks[-1]["top"], "perplexity": 20.0}


def beams_generation(num_beams: int = 4, steps: int = 12) -> dict:
    """A beam tree: num_beams live beams per step; beams that are not ancestors of a final beam are pruned."""
    rng = random.Random(4)
    ids = [7042, 9, 11, 13, 260, 5, 9100]
    tree = []
    for s in range(steps):
        nodes = []
        for _ in range(num_beams):
            parent = None if s == 0 else rng.randrange(num_beams)
            base = 0.0 if parent is None else tree[s - 1][parent]["score"]
            nodes.append({"parent": parent, "id": rng.choice(ids), "score": round(base - rng.random() * 1.5, 4), "kept": False})
        tree.append(nodes)
    # mark the ancestry of the two best final beams as kept
    finals = sorted(range(num_beams), key=lambda j: -tree[-1][j]["score"])[:2]
    for j in finals:
        s = steps - 1
        while s >= 0 and j is not None:
            tree[s][j]["kept"] = True
            j = tree[s][j]["parent"]
            s -= 1
    beams = []
    for j in finals:
        path, s, jj = [], steps - 1, j
        while s >= 0 and jj is not None:
            path.append(tree[s][jj]["id"])
            jj = tree[s][jj]["parent"]
            s -= 1
        path.reverse()
        text = "".join(PIECES[str(i)] if isinstance(PIECES[str(i)], str) else "" for i in path)
        beams.append({"text": text, "ids": path, "score": round(tree[-1][j]["score"] / steps, 4)})
    return {"k": 5, "pieces": dict(PIECES), "tokens": [], "stopped_by": "length", "beams": beams, "tree": tree}


def lens(layers: int = 31, positions: int = 40, k: int = 5) -> dict:
    rng = random.Random(5)
    ids = [7042, 9, 11, 13, 260, 5, 9100, 9101, 9001, 1]
    inp = [rng.choice(ids) for _ in range(positions)]
    target = [*inp[1:], None]
    top, tprob = [], []
    for layer in range(layers):
        row, trow = [], []
        for i in range(positions):
            cands = rng.sample(ids, k)
            if target[i] is not None and layer >= layers - 1 - (i % 10):
                if target[i] in cands:
                    cands.remove(target[i])
                else:
                    cands.pop()
                cands.insert(0, target[i])
            probs = sorted((rng.random() for _ in range(k)), reverse=True)
            row.append([[c, round(p / (sum(probs) * 1.2), 4)] for c, p in zip(cands, probs, strict=True)])
            trow.append(None if target[i] is None else next((p for c, p in row[-1] if c == target[i]), 0.0001))
        top.append(row)
        tprob.append(trow)
    first_correct = [None if target[i] is None else layers - 1 - (i % 10) for i in range(positions)]
    settled = [layers - 1 - (i % 10) for i in range(positions)]
    texts = [PIECES[str(i)] if isinstance(PIECES[str(i)], str) else "" for i in inp]
    return {
        "layers": layers,
        "positions": positions,
        "k": k,
        "pieces": dict(PIECES),
        "input": inp,
        "input_text": texts,
        "target": target,
        "top": top,
        "target_prob": tprob,
        "first_correct": first_correct,
        "settled": settled,
    }


def icl_curve(max_shots: int = 4) -> dict:
    shots = list(range(max_shots + 1))
    mean = [round(0.1 + 0.8 * (1 - math.exp(-k)), 4) for k in shots]
    strips = []
    for k in shots:
        toks = [{"id": 504, "t": "The", "p": None, "r": None, "h": None, "top": None}]
        for _ in range(k):
            toks.append({"id": 9, "t": " Berlin", "p": 0.5, "r": 1, "h": 1.0, "top": [[9, 0.5], [7042, 0.2]]})
            toks.append({"id": 198, "t": "\n", "p": 0.3, "r": 2, "h": 2.0, "top": [[11, 0.4], [198, 0.3]]})
        toks.append({"id": 7042, "t": " Paris", "p": mean[k], "r": 1, "h": 0.5, "top": [[7042, mean[k]], [9, 0.05]]})
        strips.append({"k": 2, "pieces": dict(PIECES), "tokens": toks})
    return {
        "shots": shots,
        "answer": " Paris",
        "mean": mean,
        "low": [round(m * 0.8, 4) for m in mean],
        "high": [round(min(1.0, m * 1.1), 4) for m in mean],
        "first_mean": [round(min(1.0, m * 1.05), 4) for m in mean],
        "rank_mean": [5 - k for k in shots],
        "entropy_mean": [2.0 / (k + 1) for k in shots],
        "strips": strips,
    }


def label_scores() -> dict:
    lps = [-0.4, -1.6, -3.2]
    z = sum(math.exp(x) for x in lps)
    return {
        "labels": ["positive", "negative", HTML_IMG],
        "logprob": lps,
        "label_logprob": lps,
        "normalized": [x / 2 for x in lps],
        "probs": [round(math.exp(x) / z, 4) for x in lps],
        "predicted": "positive",
        "breakdown": [
            [{"t": "Sentiment:", "lp": -2.0, "in_label": False}, {"t": " positive", "lp": -0.4, "in_label": True}],
            [{"t": "Sentiment:", "lp": -2.0, "in_label": False}, {"t": " negative", "lp": -1.6, "in_label": True}],
            [{"t": "Sentiment:", "lp": -2.0, "in_label": False}, {"t": HTML_IMG, "lp": -3.2, "in_label": True}],
        ],
    }
