#!/usr/bin/env bash
# Runs every test: exactly what CI runs (.ci/run). The PostgreSQL store's tests start a throwaway
# PostgreSQL from Debian's server binaries, and the Prometheus gate's tests a throwaway Prometheus from
# Debian's prometheus package, so this installs them when they are missing, then runs
# ./mvnw -B verify with any extra arguments, e.g. ./test.sh -Dringfence.test.jdbcUrl=... (docs/postgresql.md).
set -euo pipefail
cd "$(dirname "$0")"

# apt_install PACKAGE WHY: as root, installs Debian's PACKAGE, saying WHY; fails, installing nothing, otherwise.
apt_install() {
  [ "$(id -u)" -eq 0 ] || return 1
  echo "test.sh: $2; installing Debian's $1 package" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$1"
}

if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  if ! apt_install postgresql "PostgreSQL's server binaries are missing"; then
    cat >&2 <<'MSG'
test.sh: the PostgreSQL store's tests need PostgreSQL's server binaries (/usr/lib/postgresql/*/bin/initdb),
and they are missing. Install them as root (Debian, Ubuntu):

  sudo apt-get update && sudo apt-get install -y --no-install-recommends postgresql

or run the tests against a server you have (the user needs CREATEDB):

  ./test.sh -Dringfence.test.jdbcUrl=jdbc:postgresql://HOST:5432/postgres \
            -Dringfence.test.user=USER -Dringfence.test.password=PASSWORD
MSG
    case " $* " in
      *" -Dringfence.test.jdbcUrl="*) ;;
      *) exit 1 ;;
    esac
  fi
fi

# The Prometheus gate's tests (module gates) start a throwaway Prometheus from Debian's prometheus package
# (prometheus and promtool); they fail, never skip, without it.
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  if ! apt_install prometheus "prometheus or promtool is missing"; then
    cat >&2 <<'MSG'
test.sh: the Prometheus gate's tests need Prometheus's binaries (prometheus and promtool on the PATH), and
they are missing. Install them as root (Debian, Ubuntu):

  sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus

or point the tests at a directory that holds both (Prometheus 2.x):

  ./test.sh -Dringfence.test.prometheusBin=/opt/prometheus
MSG
    case " $* " in
      *" -Dringfence.test.prometheusBin="*) ;;
      *) exit 1 ;;
    esac
  fi
fi

# The status page's browser test loads the page in headless Chromium (skipped when it is missing).
if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium "chromium is missing (the status page's browser test)" || true
fi

exec ./mvnw -B verify "$@"
