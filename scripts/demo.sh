#!/usr/bin/env bash
# `make demo`: a generated org, synced into SQLite with tasks in-process, served on 127.0.0.1.
# Safe to re-run: the org is regenerated only when its arguments, the day or the generator changed,
# the org is added once, the sync is incremental, and the login keeps its password.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=${PY:-.venv/bin/python}
host=127.0.0.1
port=${PORT:-8000}
org_name=demo
org_dir=var/demo-org
org_args=(--reps 24 --months 12 --seed 7)
org_stamp=var/demo-org.generated
password_file=var/demo-login

# The demo is a development setup whatever the environment or a .env file says: SQLite, no broker
# (Celery runs tasks in-process), no Redis. Empty values still count as set, so .env cannot override them.
export DJANGO_DEBUG=true
export DATABASE_URL="sqlite:///$root/var/coachapp.sqlite3"
export CELERY_BROKER_URL= REDIS_URL=
mkdir -p var

step() { echo; echo "==> $*"; }
manage() { "$py" manage.py "$@"; }
# command_state NAME: "present", "missing" (not in this checkout yet) or "broken" (fails to load).
command_state() {
    local output
    if output=$(manage help "$1" 2>&1); then
        echo present
    elif grep -q "Unknown command" <<<"$output"; then
        echo missing
    else
        echo broken
    fi
}
require_command() {
    case $(command_state "$1") in
        present) ;;
        missing)
            echo "make demo stopped: 'python manage.py $1' does not exist in this checkout yet, so the demo" \
                "cannot $2. Everything before this step is done; re-run make demo once it lands." >&2
            exit 1
            ;;
        *)
            echo "make demo stopped: 'python manage.py $1' fails to load, so the demo cannot $2:" >&2
            manage help "$1" 2>&1 | tail -n 5 >&2 || true
            exit 1
            ;;
    esac
}

if [ -f .env ]; then
    echo "Note: .env exists; the demo still uses SQLite ($DATABASE_URL), no broker and DJANGO_DEBUG=true," \
        "but takes its other settings (SECRET_KEY, FIELD_ENCRYPTION_KEY, ...) from it."
fi
# SO_REUSEADDR as runserver sets it, so that a socket left in TIME_WAIT by the last run does not count.
if ! "$py" -c "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$host', $port))" 2>/dev/null; then
    echo "make demo: port $port on $host is in use. Stop what listens there, or pick another: make demo PORT=8001" >&2
    exit 1
fi

step "Database: var/coachapp.sqlite3"
manage migrate --noinput

require_command generate_org "generate the demo org"
# The generator is deterministic for the same arguments and end day, so a matching stamp means the files
# are already what it would write.
generator_hash=$(find sfemulator/generator integrations/management/commands/generate_org.py -name '*.py' 2>/dev/null |
    sort | xargs cat | sha256sum | cut -c1-16)
wanted="${org_args[*]} end=$(date +%F) generator=$generator_hash"
regenerated=false
if [ -f "$org_dir/org.json" ] && [ "$(cat "$org_stamp" 2>/dev/null)" = "$wanted" ]; then
    step "Demo org: $org_dir is up to date (${org_args[*]})"
else
    step "Demo org: generating $org_dir (${org_args[*]})"
    rm -f "$org_stamp"
    manage generate_org "$org_dir" "${org_args[@]}" --force
    echo "$wanted" >"$org_stamp"
    regenerated=true
fi

require_command add_org "connect the demo org"
org_exists() {
    manage shell --verbosity 0 -c "import sys; from coaching.models import Org; sys.exit(0 if Org.objects.filter(name='$org_name').exists() else 3)"
}
first_sync=false
if org_exists; then
    step "Org '$org_name': already connected"
else
    step "Org '$org_name': connecting to the emulator at $org_dir"
    manage add_org "$org_name" --emulator "$org_dir"
    first_sync=true
fi

require_command sync_salesforce "sync the demo org"
# --no-rebuild: the agendas are built just below, with their history.
if $regenerated && ! $first_sync; then
    # New files under an existing org: a full pass also retires what the new generation no longer has.
    step "Sync: full (the demo org was regenerated)"
    manage sync_salesforce "$org_name" --full --no-rebuild
else
    step "Sync: incremental"
    manage sync_salesforce "$org_name" --no-rebuild
fi

agendas=$(command_state build_agendas)
if [ "$agendas" = present ]; then
    step "Coaching agendas"
    # Four past weeks first, so that even the first demo shows trends, rotation and follow-ups.
    manage build_agendas "$org_name" --history 4
elif [ "$agendas" = missing ]; then
    step "Coaching agendas: skipped ('build_agendas' does not exist in this checkout yet)"
else
    require_command build_agendas "build the coaching agendas"
fi

step "Demo login"
"$py" scripts/demo_login.py "$password_file" "$host" "$port"
# The portal shows only what a login's membership allows: the demo login is the org's admin (every team).
manage portal_access demo --org "$org_name" --role admin

# runserver serves static files itself when DEBUG is on, so there is nothing to collect; --noreload keeps
# it one process that Ctrl-C stops.
exec "$py" manage.py runserver "$host:$port" --noreload
