"""``python -m bench [NAME] [ARGS…]``: run one benchmark by name, or every one in turn.

Each benchmark is a module of this package with ``main(argv) -> int`` (0 when it met its target).
"""

import importlib
import sys

BENCHMARKS = {
    "sync": "bench.sync",
    "coaching": "bench.coaching",
    "engine": "bench.engine",
    "api": "bench.api",
    "week": "bench.week",
    "signal": "bench.signal",
    "calibrate": "bench.calibrate",
    "backtest": "bench.backtest",
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("benchmarks:", ", ".join(BENCHMARKS))
        return 0
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            print(f"no benchmark {name!r}; there are: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        return importlib.import_module(BENCHMARKS[name]).main(rest)
    status = 0
    for name, module in BENCHMARKS.items():
        print(f"=== bench {name} ===")
        status |= importlib.import_module(module).main(argv)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
