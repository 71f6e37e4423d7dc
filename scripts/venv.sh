#!/usr/bin/env bash
# Create (if missing) the virtualenv given as $1 with Python 3.11 and install requirements-dev.txt into it.
# Called by the Makefile only when a requirements file is newer than the venv's stamp.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv}

is_311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }

if [ ! -x "$venv/bin/python" ] || ! is_311 "$venv/bin/python"; then
    python=""
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null && is_311 "$candidate"; then
            python=$(command -v "$candidate")
            break
        fi
    done
    if [ -z "$python" ]; then
        echo "coachapp needs Python 3.11: neither python3.11 nor a python3 of version 3.11 is on PATH." >&2
        exit 1
    fi
    echo "Creating $venv with $python ($("$python" --version))"
    rm -rf "$venv"
    if ! "$python" -m venv "$venv"; then
        echo "Could not create $venv. On Debian/Ubuntu install the venv module: apt-get install python3.11-venv" >&2
        exit 1
    fi
fi

echo "Installing requirements-dev.txt into $venv (a minute or two the first time)"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet --no-input -r requirements-dev.txt
