"""`tokviz "some text"`: print each token's probability and the model's top candidates."""

from __future__ import annotations

import argparse
import sys

from .errors import TokvizError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tokviz", description=__doc__)
    parser.add_argument("text", help="the prompt to analyse")
    parser.add_argument("--model", default=None, help="Hugging Face id or local path (default: embedded model)")
    parser.add_argument("--alternatives", "--top-k", type=int, default=3, metavar="K",
                        help="candidates shown per token (default 3; --top-k is the old name)")
    parser.add_argument("--generate", type=int, default=0, metavar="N", help="also generate N tokens greedily")
    parser.add_argument("--quantization", choices=["4bit", "8bit"], default=None)
    args = parser.parse_args(argv)

    from .checks import check_int
    from .core.decoding import DecodingParams

    try:
        # Every setting is checked before the model loads, so a typo fails at once, before any output.
        check_int(args.alternatives, "--alternatives", low=1)
        check_int(args.generate, "--generate", low=0, hint=" (0 = analyse only)")
        decoding = DecodingParams(max_new_tokens=args.generate) if args.generate else None
        from . import analyze, generate, load_model

        lm = load_model(args.model, quantization=args.quantization)
        print(analyze(lm, args.text, alternatives=args.alternatives).table(top=args.alternatives))
        if decoding is not None:
            result = generate(lm, args.text, max_new_tokens=decoding.max_new_tokens, alternatives=args.alternatives)
            print(result.table(top=args.alternatives))
    except TokvizError as error:
        print(f"tokviz: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
