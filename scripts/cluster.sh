#!/usr/bin/env bash
# A local three-node RabbitMQ cluster on one machine, for scale-out and node-loss tests. Each node has its
# own name, ports, data/log dirs and config under one folder; the system node (rabbit@localhost on 5672)
# and its files are never touched. `down` stops only the nodes `up` started and removes only that folder.
#
#   scripts/cluster.sh up            start three nodes, join them, enable plugins (idempotent)
#   scripts/cluster.sh status        one line per node, then the cluster status
#   scripts/cluster.sh down          stop the nodes and remove the folder
#   scripts/cluster.sh urls          the RABBITMQ_URLS value for the apps
#   scripts/cluster.sh kill N        SIGKILL node N (fault injection)
#   scripts/cluster.sh start N       start node N again; it rejoins the cluster from its own data
#
# Settings (environment): CLUSTER_DIR (default $TMPDIR/rabbitmq-cluster-<user>), CLUSTER_NODE_PREFIX
# (rabbit-c → rabbit-c1@localhost…), CLUSTER_AMQP_BASE (5700 → 5701-5703), CLUSTER_MANAGEMENT_BASE (15700),
# CLUSTER_DIST_BASE (25700), CLUSTER_SIZE (3). Tests use other values so they never meet a developer's cluster.
set -euo pipefail

CLUSTER_DIR="${CLUSTER_DIR:-${TMPDIR:-/tmp}/rabbitmq-cluster-$(id -un)}"
NODE_PREFIX="${CLUSTER_NODE_PREFIX:-rabbit-c}"
AMQP_BASE="${CLUSTER_AMQP_BASE:-5700}"
MANAGEMENT_BASE="${CLUSTER_MANAGEMENT_BASE:-15700}"
DIST_BASE="${CLUSTER_DIST_BASE:-25700}"
SIZE="${CLUSTER_SIZE:-3}"
MARKER="$CLUSTER_DIR/.created-by-cluster-sh"
PLUGINS="[rabbitmq_consistent_hash_exchange,rabbitmq_management]."

log() { printf '%-14s %s\n' "$1" "$2"; }
fail() { printf 'cluster: %s\n' "$1" >&2; exit 1; }

# The Debian wrappers in /usr/sbin switch to the rabbitmq user and its cookie; the scripts behind them
# run as the caller with the environment below.
sbin_dir() {
  if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    dirname "$(readlink -f /usr/lib/rabbitmq/bin/rabbitmq-server)"
  elif command -v rabbitmq-server >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v rabbitmq-server)")"
  else
    fail "rabbitmq-server is not installed (scripts/services.sh ensure installs it)"
  fi
}
SBIN="$(sbin_dir)"

node_name() { echo "$NODE_PREFIX$1@localhost"; }
node_dir() { echo "$CLUSTER_DIR/node$1"; }
amqp_port() { echo $((AMQP_BASE + $1)); }
management_port() { echo $((MANAGEMENT_BASE + $1)); }

# Everything a node and the CLI tools read points into the cluster folder; /etc/rabbitmq is not read.
node_env() {
  local n=$1 dir
  dir="$(node_dir "$n")"
  export HOME="$CLUSTER_DIR" # the shared Erlang cookie: $HOME/.erlang.cookie
  export RABBITMQ_CONF_ENV_FILE="$CLUSTER_DIR/rabbitmq-env.conf"
  export RABBITMQ_NODENAME RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT RABBITMQ_DIST_PORT
  RABBITMQ_NODENAME="$(node_name "$n")"
  RABBITMQ_NODE_PORT="$(amqp_port "$n")"
  RABBITMQ_DIST_PORT=$((DIST_BASE + n))
  export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$CLUSTER_DIR/enabled_plugins" RABBITMQ_PID_FILE="$dir/pid"
  export ERL_EPMD_ADDRESS=127.0.0.1
  # No busy-waiting schedulers: several nodes share a small machine with the apps under test.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"
}

ctl() { # ctl <node> <rabbitmqctl args...>
  local n=$1
  shift
  (node_env "$n" && "$SBIN/rabbitmqctl" -n "$(node_name "$n")" "$@")
}

node_pid() { cat "$(node_dir "$1")/pid" 2>/dev/null || true; }
node_alive() {
  local pid
  pid="$(node_pid "$1")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
answers() { ctl "$1" -q await_startup --timeout 5 >/dev/null 2>&1; }

prepare_folder() {
  mkdir -p "$CLUSTER_DIR"
  touch "$MARKER"
  [ -f "$CLUSTER_DIR/.erlang.cookie" ] || {
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$CLUSTER_DIR/.erlang.cookie"
    chmod 400 "$CLUSTER_DIR/.erlang.cookie"
  }
  echo "$PLUGINS" >"$CLUSTER_DIR/enabled_plugins"
  : >"$CLUSTER_DIR/rabbitmq-env.conf"
  for n in $(seq "$SIZE"); do
    mkdir -p "$(node_dir "$n")/mnesia" "$(node_dir "$n")/log"
    cat >"$(node_dir "$n")/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$(amqp_port "$n")
management.tcp.ip = 127.0.0.1
management.tcp.port = $(management_port "$n")
cluster_name = local-cluster
log.console = false
log.file.level = info
EOF
  done
}

start_node() {
  local n=$1
  [ -f "$MARKER" ] || fail "no cluster folder at $CLUSTER_DIR (run: scripts/cluster.sh up)"
  if node_alive "$n" && answers "$n"; then return 0; fi
  (node_env "$n" && "$SBIN/rabbitmq-server" -detached >>"$(node_dir "$n")/log/startup.log" 2>&1) || true
  # -detached returns at once and the node registers a few seconds later: poll.
  for _ in $(seq 90); do answers "$n" && return 0; sleep 1; done
  tail -n 30 "$(node_dir "$n")/log/startup.log" >&2 || true
  fail "$(node_name "$n") did not start (logs: $(node_dir "$n")/log)"
}

joined() { ctl 1 -q cluster_status --formatter json 2>/dev/null | grep -q "\"$(node_name "$1")\""; }

join_node() {
  local n=$1
  joined "$n" && ctl "$n" -q cluster_status --formatter json | grep -q "\"$(node_name 1)\"" && return 0
  ctl "$n" -q stop_app
  ctl "$n" -q join_cluster "$(node_name 1)"
  ctl "$n" -q start_app
}

urls() {
  local list=""
  for n in $(seq "$SIZE"); do list+="${list:+,}amqp://guest:guest@127.0.0.1:$(amqp_port "$n")"; done
  echo "$list"
}

cmd_up() {
  for n in $(seq "$SIZE"); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$(amqp_port "$n")") 2>/dev/null && ! node_alive "$n"; then
      fail "port $(amqp_port "$n") is taken by something else; set CLUSTER_AMQP_BASE"
    fi
  done
  prepare_folder
  # Nodes boot one after another: on two cores, parallel boots only take longer each.
  for n in $(seq "$SIZE"); do start_node "$n"; done
  for n in $(seq 2 "$SIZE"); do join_node "$n"; done
  cmd_status
}

cmd_status() {
  [ -f "$MARKER" ] || { log cluster "down (no folder at $CLUSTER_DIR)"; return 0; }
  for n in $(seq "$SIZE"); do
    local state="stopped"
    node_alive "$n" && state="running pid $(node_pid "$n")"
    log "$(node_name "$n")" "$state, amqp 127.0.0.1:$(amqp_port "$n"), management http://127.0.0.1:$(management_port "$n"), dist $((DIST_BASE + n))"
  done
  log folder "$CLUSTER_DIR"
  log RABBITMQ_URLS "$(urls)"
  for n in $(seq "$SIZE"); do
    if node_alive "$n" && answers "$n"; then
      local running
      running=$(ctl "$n" -q cluster_status --formatter json | node -e \
        'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.running_nodes.join(" "))})')
      log members "running: $running"
      return 0
    fi
  done
}

cmd_down() {
  [ -f "$MARKER" ] || { log cluster "nothing to remove at $CLUSTER_DIR"; return 0; }
  for n in $(seq "$SIZE"); do
    local pid
    pid="$(node_pid "$n")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
    ctl "$n" -q stop --timeout 20 >/dev/null 2>&1 || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    log "$(node_name "$n")" "stopped"
  done
  rm -rf "$CLUSTER_DIR"
  log cluster "removed $CLUSTER_DIR"
}

cmd_kill() {
  local n=${1:?node number}
  local pid
  pid="$(node_pid "$n")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || fail "$(node_name "$n") is not running"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  log "$(node_name "$n")" "killed (SIGKILL pid $pid)"
}

cmd_start() {
  local n=${1:?node number}
  start_node "$n"
  log "$(node_name "$n")" "running pid $(node_pid "$n")"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  urls) urls ;;
  kill) cmd_kill "${2:-}" ;;
  start) cmd_start "${2:-}" ;;
  *) echo "usage: $0 up|down|status|urls|kill N|start N" >&2; exit 2 ;;
esac
