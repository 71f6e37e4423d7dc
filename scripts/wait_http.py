"""Wait until a URL answers HTTP (any status), or give up: ``wait_http.py URL [--timeout S] [--pid PID]``.

make demo prints "ready" only after this returns 0; with ``--pid`` it stops waiting as soon as that process
(the server) has exited. Exit 0 when the URL answered, 1 on timeout or when the process died.
"""

import argparse
import os
import sys
import time
import urllib.error
import urllib.request


def alive(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # an error page is still an answer
    except (urllib.error.URLError, OSError):
        return False


def wait(url: str, timeout: float, pid: int | None = None, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(url):
            return True
        if not alive(pid):
            return False
        time.sleep(interval)
    return answers(url)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--pid", type=int)
    args = parser.parse_args(argv)
    return 0 if wait(args.url, args.timeout, args.pid) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
