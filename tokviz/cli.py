"""`tokviz "some text"`: print each token's probability and the model's top candidates."""

from __future__ import annotations

import argparse
import sys

from .errors import TokvizError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tokviz", description=__doc__)
    parser.add_argument("text", help="the prompt to analyse")
    parser.add_argument("--model", default=None, help="Hugging Face id or local path (default: embedded model)")
    parser.add_argument("--top-k", type=int, default=5, help="candidates per token")
    parser.add_argument("--generate", type=int, default=0, metavar="N", help="also generate N tokens greedily")
    parser.add_argument("--quantization", choices=["4bit", "8bit"], default=None)
    args = parser.parse_args(argv)

    from . import analyze, load_model

    try:
        lm = load_model(args.model, quantization=args.quantization)
        print(analyze(lm, args.text, top_k=args.top_k).table())
        if args.generate:
            from . import generate

            result = generate(lm, args.text, max_new_tokens=args.generate, alternatives=args.top_k)
            print(result.table())
    except TokvizError as error:
        print(f"tokviz: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
