# Throwaway RabbitMQ and PostgreSQL for the tests, without Docker (see shared/reference/facts.md).
# Sourced by scripts/test: `start_test_servers` exports PIPELINE_TEST_RABBITMQ, PIPELINE_TEST_RABBITMQ_API and
# PIPELINE_TEST_POSTGRES; `stop_test_servers` (run from the caller's EXIT trap) stops both and removes the temp dir.
# scripts/chaos also stops and starts them mid-run: stop_rabbitmq / run_rabbitmq, "${PG_STOP[@]}" / "${PG_START[@]}".
# Everything listens on 127.0.0.1 on private ports, never the shared epmd port 4369.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then echo "scripts/test: $what did not come up in time" >&2; return 1; fi
    sleep 0.5
  done
}

install_servers() {
  if [[ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
    echo "scripts/test: installing rabbitmq-server (apt)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [[ -z "$PG_BIN" ]]; then
    echo "scripts/test: installing postgresql (apt)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
}

# npm builds the dashboard (Chart.js) and runs its browser tests; Debian's chromium is the browser they drive.
install_browser_tools() {
  local missing=()
  command -v npm >/dev/null || missing+=(nodejs npm)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  ((${#missing[@]})) || return 0
  echo "scripts/test: installing ${missing[*]} (apt)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

start_rabbitmq() {
  local d=$TEST_SERVERS_DIR/rabbitmq port mgmt dist
  mkdir -p "$d"
  port=$(free_port); mgmt=$(free_port); dist=$(free_port); RABBIT_EPMD_PORT=$(free_port)
  cat > "$d/rabbitmq.conf" <<CONF
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
# Training a run holds its message for hours; RabbitMQ's default 30-minute consumer timeout would cancel it.
consumer_timeout = 86400000
CONF
  echo '[rabbitmq_management].' > "$d/enabled_plugins"
  RABBIT_ENV=(HOME="$d" RABBITMQ_NODENAME="pipeline-test@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$dist" ERL_EPMD_PORT="$RABBIT_EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1
    RABBITMQ_BASE="$d" RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log" RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf"
    RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" RABBITMQ_PID_FILE="$d/rabbitmq.pid")
  export PIPELINE_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$port/"
  export PIPELINE_TEST_RABBITMQ_API="http://127.0.0.1:$mgmt/api/"
  run_rabbitmq
}

rabbitmq_startups() { cat "$TEST_SERVERS_DIR"/rabbitmq/log/*.log 2>/dev/null | grep -c "Server startup complete" || true; }
rabbitmq_started_since() { (( $(rabbitmq_startups) > $1 )); }

# Starts the configured node (again, after stop_rabbitmq: same ports, same durable queues and messages).
run_rabbitmq() {
  local before; before=$(rabbitmq_startups)
  env "${RABBIT_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server -detached
  wait_for 60 "RabbitMQ" rabbitmq_started_since "$before"
  wait_for 30 "RabbitMQ management API" curl -sf -u guest:guest "${PIPELINE_TEST_RABBITMQ_API}overview"
}

stop_rabbitmq() {
  local pidfile=$TEST_SERVERS_DIR/rabbitmq/rabbitmq.pid pid
  [[ -f "$pidfile" ]] || return 0
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  rm -f "$pidfile"
}

start_postgres() {
  local d=$TEST_SERVERS_DIR/postgres port admin_pw pw
  mkdir -p "$d" && chown postgres "$d" && chmod 700 "$d"
  port=$(free_port); admin_pw=$(openssl rand -hex 16); pw=$(openssl rand -hex 16)
  echo "$admin_pw" > "$d/admin.pw" && chown postgres "$d/admin.pw"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$d/data" -U admin --pwfile="$d/admin.pw" -A scram-sha-256 --auth-local=trust \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$d/initdb.log"
  PG_START=(runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/pg.log" -w
    -o "-p $port -k $d -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start)
  PG_STOP=(runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -m fast -w stop)
  "${PG_START[@]}" >/dev/null
  # The services connect as a least-privilege role: it owns its databases, nothing more (no superuser).
  runuser -u postgres -- "$PG_BIN/psql" -h "$d" -p "$port" -U admin -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE pipeline LOGIN CREATEDB PASSWORD '$pw' NOSUPERUSER NOCREATEROLE"
  export PIPELINE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=pipeline;Password=$pw;Database=postgres"
}

start_test_servers() {
  install_servers
  TEST_SERVERS_DIR=$(mktemp -d /tmp/pipeline-test-servers.XXXXXX)
  chmod 755 "$TEST_SERVERS_DIR"
  start_rabbitmq
  start_postgres
  echo "scripts/test: RabbitMQ $PIPELINE_TEST_RABBITMQ, PostgreSQL on ${PIPELINE_TEST_POSTGRES%%;Username*}" >&2
}

stop_test_servers() {
  [[ -n "${TEST_SERVERS_DIR:-}" ]] || return 0
  [[ -n "${PG_STOP:-}" ]] && "${PG_STOP[@]}" >/dev/null 2>&1
  stop_rabbitmq
  [[ -n "${RABBIT_EPMD_PORT:-}" ]] && ERL_EPMD_PORT=$RABBIT_EPMD_PORT epmd -kill >/dev/null 2>&1
  rm -rf "$TEST_SERVERS_DIR"
}
