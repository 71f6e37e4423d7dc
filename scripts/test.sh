#!/usr/bin/env bash
# `make test`: the whole suite on SQLite, then again on PostgreSQL + Redis when PostgreSQL answers.
# With CI=true the second pass always runs and a service that does not answer is a failure.
# Extra arguments go to both pytest runs (`make test ARGS="-k sync"`). TEST_PASSES_PARALLEL=true runs the two
# passes side by side (the default in CI).
# The PostgreSQL pass of a whole-suite run (no arguments) measures line coverage of the product code and fails
# below COVERAGE_FLOOR percent (what was measured when it was set, less a little room; raise it as tests grow).
# The PostgreSQL pass spreads its tests over TEST_WORKERS processes (pytest-xdist, file by file; default 2 in CI,
# 1 elsewhere): much of it waits on worker processes, servers and timeouts, not on the CPU.
# When both passes run the whole suite, the SQLite pass leaves out the tests that never open the database
# (tests/conftest.py): the PostgreSQL pass runs them, and they do not depend on the database.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=${PY:-.venv/bin/python}
pg_url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
redis_url=${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
in_ci=false
[ "${CI:-}" = "true" ] && in_ci=true

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
summaries=()
failed=0

# Whether something accepts TCP connections at the host and port of a URL (no client tools needed).
answers() {
    "$py" - "$1" <<'PY'
import socket, sys
from urllib.parse import urlparse

url = urlparse(sys.argv[1])
try:
    socket.create_connection((url.hostname or "127.0.0.1", url.port or {"redis": 6379}.get(url.scheme, 5432)), 2).close()
except OSError:
    sys.exit(1)
PY
}

# run_pass NAME ENV... : pytest over the whole suite with ENV, its output shown as it comes and kept in a log.
run_pass() {
    local name=$1
    shift
    echo
    echo "=== make test: $name pass ==="
    # Every variable is set explicitly, even to "", so that a .env file cannot point the run elsewhere.
    env "$@" CELERY_BROKER_URL= "$py" -m pytest "${pytest_args[@]}" "${pass_args[@]}" 2>&1 | tee "$logs/$name.log"
    echo "${PIPESTATUS[0]}" >"$logs/$name.rc"
}

# start_pass NAME ENV... : the same in the background, its output only in the log (shown by show_pass).
start_pass() {
    local name=$1
    shift
    (
        env "$@" CELERY_BROKER_URL= "$py" -m pytest "${pytest_args[@]}" "${pass_args[@]}" >"$logs/$name.log" 2>&1
        echo "$?" >"$logs/$name.rc"
    ) &
    background_pid=$!
}

show_pass() {
    echo
    echo "=== make test: $1 pass (ran alongside the other) ==="
    cat "$logs/$1.log"
}

# record_pass NAME: the pass's summary line, coverage and outcome, for the closing summary.
record_pass() {
    local name=$1
    local log="$logs/$name.log"
    local rc
    rc=$(cat "$logs/$name.rc" 2>/dev/null || echo 1)
    local summary
    summary=$(grep -E '^=+ .* in [0-9.]+s.* =+$' "$log" | tail -n 1)
    summaries+=("$name: exit $rc" "${summary:-(pytest printed no summary line)}")
    local total
    total=$(grep -E '^TOTAL ' "$log" | tail -n 1)
    [ -n "$total" ] && summaries+=("line coverage of the product code (floor $coverage_floor%): ${total##* }")
    case $rc in
        0) ;;
        5)
            echo "make test: the $name pass collected no tests; that is a failure (check the paths and -k/-m arguments)." >&2
            failed=1
            ;;
        *) failed=1 ;;
    esac
}

pytest_args=("$@")
coverage_floor=${COVERAGE_FLOOR:-92}
coverage_args=()
if [ "$#" -eq 0 ]; then
    coverage_args=(--cov --cov-report=term:skip-covered --cov-fail-under="$coverage_floor")
fi

# CI runs the two passes side by side (they share nothing: another database, no Redis for SQLite), since much
# of the PostgreSQL pass waits on worker processes and timeouts; elsewhere one after the other, as you read.
parallel=${TEST_PASSES_PARALLEL:-$in_ci}
background_pid=
sqlite_env=(DATABASE_URL="sqlite:///$root/var/coachapp.sqlite3" REDIS_URL= COACHAPP_TEST_PASS=sqlite)
pass_args=()
if [ "$#" -eq 0 ] && answers "$pg_url"; then
    sqlite_env+=(COACHAPP_TEST_DATABASE_TESTS_ONLY=true)
fi
workers=${TEST_WORKERS:-$($in_ci && echo 2 || echo 1)}
worker_args=()
if [ "$workers" -gt 1 ]; then
    worker_args=(-n "$workers" --dist loadfile)
fi
if [ "$parallel" = true ] && answers "$pg_url"; then
    echo "make test: the SQLite pass runs in the background beside the PostgreSQL pass; its output follows it."
    start_pass SQLite "${sqlite_env[@]}"
else
    run_pass SQLite "${sqlite_env[@]}"
    record_pass SQLite
fi

if answers "$pg_url"; then
    redis_env=(REDIS_URL="$redis_url")
    if ! answers "$redis_url"; then
        if $in_ci; then
            echo "make test: Redis does not answer at $redis_url, and CI requires it." >&2
            failed=1
        else
            echo "make test: Redis does not answer at $redis_url; its tests will skip." \
                "Start it (redis-server) or set TEST_REDIS_URL." >&2
        fi
        redis_env=(REDIS_URL=)
    fi
    pass_args=("${coverage_args[@]}" "${worker_args[@]}")
    run_pass PostgreSQL DATABASE_URL="$pg_url" "${redis_env[@]}" COACHAPP_TEST_PASS=postgresql
    if [ -n "$background_pid" ]; then
        wait "$background_pid"
        show_pass SQLite
        record_pass SQLite
    fi
    record_pass PostgreSQL
elif $in_ci; then
    echo "make test: PostgreSQL does not answer at $pg_url, and CI requires the PostgreSQL pass." >&2
    summaries+=("PostgreSQL: not run" "(PostgreSQL did not answer at $pg_url)")
    failed=1
else
    echo
    echo "make test: PostgreSQL pass skipped: nothing answers at $pg_url."
    echo "  Start PostgreSQL (and Redis at $redis_url), or point TEST_DATABASE_URL / TEST_REDIS_URL at yours;"
    echo "  the user needs the right to create the test database. CI always runs this pass."
fi

echo
echo "=== make test: summary ==="
printf '%s\n' "${summaries[@]}"
if [ "$failed" -ne 0 ]; then
    echo "make test: FAILED" >&2
    exit 1
fi
