#!/usr/bin/env bash
# Makes sure MariaDB/MySQL, RabbitMQ (with the consistent-hash and management plugins) and Redis answer on
# loopback, creates the project's databases and application user, and prints one line per service.
# Idempotent. Environment URLs (MYSQL_URL, RABBITMQ_URL, REDIS_URL) point it at services it must not manage.
#
#   scripts/services.sh ensure        find / start / install, then provision
#   scripts/services.sh status        one line per service, no changes
set -euo pipefail

APP_DB_USER="${APP_DB_USER:-messaging}"
APP_DB_PASSWORD="${APP_DB_PASSWORD:-messaging-local}"
DATABASES="${DATABASES:-orders billing}"
RABBITMQ_PLUGINS="rabbitmq_consistent_hash_exchange rabbitmq_management"

log() { printf '%-9s %s\n' "$1" "$2"; }
fail() { log "$1" "FAILED: $2" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  is_root && have apt-get || fail "$1" "not installed and cannot install (needs root on Debian/Ubuntu): install $2"
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq >/dev/null; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

retry() { # retry <tries> <command...>
  local tries=$1; shift
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}

# ---------- MariaDB / MySQL ----------
mysql_root() { mariadb -uroot --protocol=socket "$@" 2>/dev/null || mysql -uroot "$@"; }

ensure_mysql() {
  if [ -n "${MYSQL_URL:-}" ]; then log mysql "external (MYSQL_URL set), not managed"; return; fi
  have mariadb || have mysql || apt_install mysql mariadb-server
  if ! retry 1 mysql_root -e 'select 1'; then
    if have mariadbd; then
      start-stop-daemon --start --oknodo --background --exec "$(command -v mariadbd || echo /usr/sbin/mariadbd)" >/dev/null
    elif [ -x /usr/sbin/mariadbd ]; then
      start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null
    else
      service mariadb start >/dev/null 2>&1 || service mysql start >/dev/null 2>&1 || true
    fi
    retry 60 mysql_root -e 'select 1' || fail mysql "did not start"
    started_mysql="started, "
  fi
  local dbs="" grants=""
  for db in $DATABASES; do
    dbs+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    grants+="GRANT ALL PRIVILEGES ON \`$db\`.* TO '$APP_DB_USER'@'%';"
  done
  # Test files create and drop their own databases named t_<file>_<random>.
  mysql_root -e "
    $dbs
    CREATE USER IF NOT EXISTS '$APP_DB_USER'@'%' IDENTIFIED BY '$APP_DB_PASSWORD';
    ALTER USER '$APP_DB_USER'@'%' IDENTIFIED BY '$APP_DB_PASSWORD';
    $grants
    GRANT ALL PRIVILEGES ON \`t\\_%\`.* TO '$APP_DB_USER'@'%';
    FLUSH PRIVILEGES;" || fail mysql "could not create databases/user"
  local version
  version=$(mysql_root -N -e 'select version()')
  log mysql "${started_mysql:-}up $version at 127.0.0.1:3306, user $APP_DB_USER, databases: $DATABASES"
}

# ---------- RabbitMQ ----------
rabbit_up() { rabbitmqctl -q await_startup --timeout 5; }

ensure_rabbitmq() {
  if [ -n "${RABBITMQ_URL:-}" ]; then log rabbitmq "external (RABBITMQ_URL set), not managed"; return; fi
  have rabbitmqctl || apt_install rabbitmq rabbitmq-server
  if ! rabbit_up >/dev/null 2>&1; then
    # -detached returns at once and the node registers a few seconds later: poll.
    rabbitmq-server -detached >/dev/null 2>&1 || true
    retry 90 rabbit_up || fail rabbitmq "did not start"
    started_rabbit="started, "
  fi
  local enabled
  enabled=$(rabbitmq-plugins list -e -m 2>/dev/null || true)
  for plugin in $RABBITMQ_PLUGINS; do
    grep -qx "$plugin" <<<"$enabled" || rabbitmq-plugins enable "$plugin" >/dev/null
  done
  retry 30 curl -fsS -u guest:guest http://127.0.0.1:15672/api/overview || fail rabbitmq "management API not answering"
  local version
  version=$(rabbitmqctl -q version 2>/dev/null || echo '?')
  log rabbitmq "${started_rabbit:-}up $version at 127.0.0.1:5672, plugins: $RABBITMQ_PLUGINS, management :15672"
}

# ---------- Redis ----------
ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then log redis "external (REDIS_URL set), not managed"; return; fi
  have redis-server || apt_install redis redis-server
  if ! retry 1 redis-cli -h 127.0.0.1 ping; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null
    retry 30 redis-cli -h 127.0.0.1 ping || fail redis "did not start"
    started_redis="started, "
  fi
  log redis "${started_redis:-}up $(redis-server --version | awk '{print $3}') at 127.0.0.1:6379"
}

# ---------- Chromium (browser tests of the admin page) ----------
ensure_chromium() {
  if have chromium; then log chromium "present $(chromium --version 2>/dev/null | awk '{print $2}')"; return; fi
  if is_root && have apt-get; then
    apt_install chromium chromium
    log chromium "installed $(chromium --version 2>/dev/null | awk '{print $2}')"
  else
    log chromium "missing: the admin browser test needs /usr/bin/chromium (apt-get install chromium)"
  fi
}

# ---------- Compose CLI (validates the compose files without an engine) ----------
ensure_compose_cli() {
  if docker compose version >/dev/null 2>&1; then log compose "docker compose plugin"; return; fi
  if have docker-compose; then log compose "present $(docker-compose version --short 2>/dev/null)"; return; fi
  if is_root && have apt-get; then
    # --no-install-recommends (in apt_install): the package alone validates; recommends pull in an engine.
    apt_install compose docker-compose
    log compose "installed $(docker-compose version --short 2>/dev/null)"
  else
    log compose "missing: test/compose-cli.int-spec.ts is skipped (apt-get install docker-compose)"
  fi
}

# ---------- wrk (the bench's HTTP load generator for POST /orders) ----------
ensure_wrk() {
  if have wrk; then log wrk "present"; return; fi
  if is_root && have apt-get; then
    apt_install wrk wrk
    log wrk "installed"
  else
    log wrk "missing: the bench's write-path scenario needs it (apt-get install wrk)"
  fi
}

status() {
  { mysql_root -e 'select 1' >/dev/null 2>&1 && log mysql up; } || log mysql down
  { rabbit_up >/dev/null 2>&1 && log rabbitmq up; } || log rabbitmq down
  { redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && log redis up; } || log redis down
}

case "${1:-ensure}" in
  ensure) have curl || apt_install curl curl; ensure_mysql; ensure_rabbitmq; ensure_redis; ensure_chromium; ensure_compose_cli ;;
  # The bench also needs its HTTP load generator; kept out of `ensure` so the test run does not pay for it.
  ensure-bench) have curl || apt_install curl curl; ensure_mysql; ensure_rabbitmq; ensure_redis; ensure_wrk ;;
  status) status ;;
  *) echo "usage: $0 ensure|ensure-bench|status" >&2; exit 2 ;;
esac
