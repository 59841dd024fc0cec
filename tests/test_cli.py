"""The `tokviz TEXT` command: options change what is printed, bad options fail before any output, and the
table stays readable for partial UTF-8 and wide characters."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

from tokviz.cli import main

PROB = r"(\d\.\d{4}|\d\.\de-\d\d)"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory, tiny_lm):
    path = tmp_path_factory.mktemp("tiny-model")
    tiny_lm.model.save_pretrained(path)
    tiny_lm.tokenizer.save_pretrained(path)
    return str(path)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def token_rows(out: str) -> list[str]:
    """The per-token rows of the analysis table (between the header and the "next:" line)."""
    lines = out.splitlines()
    return lines[1 : next(i for i, line in enumerate(lines) if line.startswith("next:"))]


def terminal_width(text: str) -> int:
    """Columns in a terminal, computed here from the Unicode tables (wide = 2, combining = 0)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@pytest.mark.parametrize(("flag", "k"), [("--alternatives", 1), ("--alternatives", 5), ("--top-k", 2)])
def test_alternatives_sets_the_number_of_candidates_printed(capsys, tiny_dir, flag, k):
    code, out, _ = run(capsys, "The cat sat on the mat", "--model", tiny_dir, flag, str(k))
    assert code == 0
    rows = token_rows(out)
    assert len(rows) == 6
    for row in rows[1:]:  # the first token has no prediction
        candidates = row.split("  ")[-1]
        assert len(re.findall(r" \d\.\d{3}(?:, |$)", candidates)) == k, row


@pytest.mark.parametrize(("argv", "message"), [
    (["--generate", "-1"], "--generate must be a non-negative integer"),
    (["--alternatives", "0"], "--alternatives must be a positive integer"),
])
def test_bad_options_fail_before_anything_is_printed(capsys, tiny_dir, argv, message):
    code, out, err = run(capsys, "Hello there", "--model", tiny_dir, *argv)
    assert code == 2 and out == ""
    assert message in err


def test_partial_utf8_tokens_print_as_bytes_never_as_empty_text(capsys, tiny_dir):
    text = "日本語のテキスト"
    code, out, _ = run(capsys, text, "--model", tiny_dir)
    assert code == 0
    token_cells = [re.split(r"\s{2,}", row.strip())[1] for row in token_rows(out)]
    assert "''" not in token_cells
    byte_cells = [c for c in token_cells if re.fullmatch(r"<[0-9a-f]{2}( [0-9a-f]{2})*>", c)]
    assert byte_cells, token_cells
    # Each byte cell is a piece of one of the text's characters, as the tokenizer split it.
    for cell in byte_cells:
        assert any(bytes.fromhex(cell[1:-1]) in ch.encode() for ch in text), cell


def test_wide_characters_keep_the_columns_aligned(capsys, tiny_dir):
    code, out, _ = run(capsys, "東京と大阪 are cities; café is 가나다", "--model", tiny_dir)
    assert code == 0
    lines = out.splitlines()
    prob_end = terminal_width(lines[0][: lines[0].index("prob") + 4])
    rows = [row for row in token_rows(out)[1:]]
    assert any(terminal_width(r) != len(r) for r in rows), "the text should contain wide characters"
    for row in rows:
        match = re.search(rf" {PROB} ", row)
        assert match and terminal_width(row[: match.end(1)]) == prob_end, row


@pytest.mark.slow
def test_installed_command_generates_with_the_default_model(default_dir):
    exe = shutil.which("tokviz")
    assert exe, "the tokviz console script is installed with the package"
    done = subprocess.run([exe, "The capital of France is Paris. The capital of Germany is", "--generate", "2",
                           "--alternatives", "4"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "' Berlin'" in done.stdout and "stopped by: length" in done.stdout
    generated = done.stdout.split("perplexity:")[1].splitlines()[2]  # first generated token's row
    assert len(re.findall(r" \d\.\d{3}(?:, |$)", generated.split("  ")[-1])) == 4
