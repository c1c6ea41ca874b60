"""``python -m catalogue.vocab [NAME ...]``: regenerate the committed vocabularies."""

import sys

from catalogue.vocab import GENERATORS, generator, write


def main(argv: list[str]) -> int:
    names = argv or list(GENERATORS)
    unknown = [name for name in names if name not in GENERATORS]
    if unknown:
        print(
            f"unknown vocabulary: {', '.join(unknown)}; known: {', '.join(GENERATORS)}",
            file=sys.stderr,
        )
        return 2
    for index, name in enumerate(names, start=1):
        path = write(generator(name))
        print(f"[{index}/{len(names)}] wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
