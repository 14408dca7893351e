#!/usr/bin/env bash
# Runs the test suite.
#
#   bash scripts/test.sh              every test of the workspace on SQLite
#   bash scripts/test.sh --postgres   the integration suite on PostgreSQL at 127.0.0.1:5432
#
# Any further arguments go to `cargo test`, for example `bash scripts/test.sh --test browser`.
# Both runs first install Chromium and ChromeDriver for the browser tests
# (scripts/install-browser.sh), which needs root or sudo the first time.
set -euo pipefail

cd "$(dirname "$0")/.."

backend=sqlite
cargo_args=()
for arg in "$@"; do
    case "$arg" in
        --postgres) backend=postgres ;;
        *) cargo_args+=("$arg") ;;
    esac
done

step() {
    echo "==> test.sh: $*"
}

postgres_is_ready() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h 127.0.0.1 -p 5432
    else
        (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
    fi
}

# Starts the machine's PostgreSQL cluster when no server accepts connections on 127.0.0.1:5432.
ensure_postgres() {
    if postgres_is_ready; then
        step "PostgreSQL accepts connections on 127.0.0.1:5432."
        return
    fi
    if [[ $EUID -ne 0 ]] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
        echo "test.sh: no PostgreSQL server accepts connections on 127.0.0.1:5432. Start it (as root:" >&2
        echo "  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start)" >&2
        echo "or point ETOWN_TEST_POSTGRES_URL at another server, then run this script again." >&2
        exit 1
    fi

    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    step "no PostgreSQL server on 127.0.0.1:5432; starting cluster $version/main with pg_ctlcluster."
    pg_ctlcluster --skip-systemctl-redirect "$version" main start

    local waited=0
    until postgres_is_ready; do
        if ((waited >= 30)); then
            echo "test.sh: PostgreSQL $version/main started but does not accept connections on 127.0.0.1:5432 after 30 s; see /var/log/postgresql/." >&2
            exit 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    step "PostgreSQL $version/main accepts connections on 127.0.0.1:5432."
}

started=$SECONDS
extra_args=${cargo_args[*]:+ ${cargo_args[*]}}

step "installing the browser for the end-to-end tests (scripts/install-browser.sh)"
bash scripts/install-browser.sh

case "$backend" in
    sqlite)
        step "cargo test --workspace${extra_args} (SQLite)"
        cargo test --workspace "${cargo_args[@]}"
        ;;
    postgres)
        # The caller runs the server named by ETOWN_TEST_POSTGRES_URL, so it is not checked here.
        if [[ -z "${ETOWN_TEST_POSTGRES_URL:-}" ]]; then
            ensure_postgres
        fi
        step "ETOWN_TEST_BACKEND=postgres cargo test --workspace --tests${extra_args}"
        ETOWN_TEST_BACKEND=postgres cargo test --workspace --tests "${cargo_args[@]}"
        ;;
esac

step "all $backend tests passed in $((SECONDS - started)) s."
