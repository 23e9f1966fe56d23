#!/usr/bin/env bash
# Starts, stops and probes the project's local single-node Kafka (KRaft).
#   broker.sh start [--secure]   resolve Kafka with Maven (once), format storage (once), start, wait until it answers
#   broker.sh stop [--secure]    stop it (SIGTERM, then SIGKILL after a grace period)
#   broker.sh status [--secure]  exit 0 when it answers on its port
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HOME_DIR (repo's .kafka/),
# KAFKA_START_TIMEOUT seconds (90), JAVA (java).
#
# --secure (or KAFKA_SECURE=1) runs the same broker with TLS, SCRAM and ACLs from its own home and
# ports: SASL_SSL/SCRAM-SHA-512 on KAFKA_SECURE_SASL_PORT (19094), mutual TLS on
# KAFKA_SECURE_MTLS_PORT (19095), an mTLS-only controller on KAFKA_SECURE_CONTROLLER_PORT (19093),
# home KAFKA_SECURE_HOME_DIR (repo's .kafka-secure/). The first start makes a throw-away CA, the
# broker's and the mTLS client's certificates and random SCRAM passwords (needs openssl and the
# JDK's keytool); every start writes one env file per client principal into the home:
# news-pipeline.env, reader.env, mtls.env. KAFKA_SECURE_TEST_PREFIX (secure-test-) is a topic,
# group and transactional-id prefix granted to the pipeline's principals for tests; empty grants none.
#
# --cluster (or KAFKA_CLUSTER=1) runs three nodes, each broker and controller, on 127.0.0.1 ports
# KAFKA_CLUSTER_PORT_BASE + 100 * node (29192, 29292, 29392; controllers one above), home
# KAFKA_CLUSTER_HOME_DIR (repo's .kafka-cluster/node-N), with three replicas of every internal and
# pipeline topic and min.insync.replicas=2. `start` prints the KAFKA_BOOTSTRAP_SERVERS to use;
# `stop --cluster --node N` / `start --cluster --node N` stop or start one node (fault tests).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
command=${1:-}
secure=${KAFKA_SECURE:-0}
[ "$secure" = 1 ] || secure=0
cluster=${KAFKA_CLUSTER:-0}
[ "$cluster" = 1 ] || cluster=0
only_node=""
usage() { echo "usage: $0 start|stop|status [--secure | --cluster [--node N]]" >&2; exit 2; }
set -- "${@:2}"
while [ $# -gt 0 ]; do
  case "$1" in
    --secure) secure=1 ;;
    --cluster) cluster=1 ;;
    --node) [ $# -ge 2 ] || usage; only_node=$2; shift ;;
    *) usage ;;
  esac
  shift
done
[ "$secure$cluster" != 11 ] || usage
if [ "$cluster" = 1 ]; then
  cluster_home=${KAFKA_CLUSTER_HOME_DIR:-$repo/.kafka-cluster}
  # Below the kernel's ephemeral range (32768+), where the tests' OS-chosen ports and client
  # sockets live: one of those once held a node's port and passed for the node.
  port_base=${KAFKA_CLUSTER_PORT_BASE:-29092}
  nodes=(1 2 3)
  controllers=$(for n in "${nodes[@]}"; do printf '127.0.0.1:%s,' $((port_base + 100 * n + 1)); done)
  controllers=${controllers%,}
  bootstrap=$(for n in "${nodes[@]}"; do printf '127.0.0.1:%s,' $((port_base + 100 * n)); done)
  bootstrap=${bootstrap%,}
  # Set per node by use_node; these make the shared helpers below valid before that.
  port=0; controller_port=0; home=$cluster_home/node-1
elif [ "$secure" = 1 ]; then
  port=${KAFKA_SECURE_SASL_PORT:-19094}
  mtls_port=${KAFKA_SECURE_MTLS_PORT:-19095}
  controller_port=${KAFKA_SECURE_CONTROLLER_PORT:-19093}
  home=${KAFKA_SECURE_HOME_DIR:-$repo/.kafka-secure}
  secrets=$home/secrets
  test_prefix=${KAFKA_SECURE_TEST_PREFIX-secure-test-}
  # Keys, passwords and the rendered server.properties (which holds the store password).
  umask 077
else
  port=${KAFKA_PORT:-9092}
  controller_port=${KAFKA_CONTROLLER_PORT:-9093}
  home=${KAFKA_HOME_DIR:-$repo/.kafka}
fi
timeout=${KAFKA_START_TIMEOUT:-90}
java=${JAVA:-java}
classpath_file=$home/classpath.txt
pid_file=$home/broker.pid
if [ "$cluster" = 1 ]; then classpath_file=$cluster_home/classpath.txt; fi

# Cluster mode: make node N the one the functions below act on.
use_node() {
  node=$1
  port=$((port_base + 100 * node))
  controller_port=$((port + 1))
  home=$cluster_home/node-$node
  pid_file=$home/broker.pid
}

log() { echo "[broker] $*" >&2; }

answers() {
  # A TCP connect is enough: the listener opens only once the broker is serving.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# The pid file names the setsid wrapper, leader of the broker's process group; the JVM is its
# child and outlives it for a while on SIGTERM, so the group, not the wrapper, says "running".
group_alive() {
  kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null
}

running_pid() {
  [ -f "$pid_file" ] && group_alive "$(cat "$pid_file")" && cat "$pid_file"
}

resolve() {
  if [ ! -s "$classpath_file" ] || [ "$here/pom.xml" -nt "$classpath_file" ]; then
    log "resolving Kafka from Maven Central (first run only)"
    mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$classpath_file.tmp" >&2
    mv "$classpath_file.tmp" "$classpath_file"
  fi
}

run_java() {
  "$java" -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$home/logs" -Dlog4j2.configurationFile="$here/log4j2.yaml" \
    -cp "$(cat "$classpath_file")" "$@"
}

# Short-lived command-line tools: a small heap and the quick JIT start faster on a busy machine.
run_tool() {
  "$java" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$home/logs" -Dlog4j2.configurationFile="$here/log4j2.yaml" \
    -cp "$(cat "$classpath_file")" "$@"
}

render_config() {
  if [ "$cluster" = 1 ]; then
    {
      awk -F= 'NR == FNR { if ($0 !~ /^[[:space:]]*(#|$)/) replaced[$1] = 1; next }
               /^[[:space:]]*(#|$)/ || !($1 in replaced)' "$here/cluster.properties" "$here/server.properties"
      echo
      cat "$here/cluster.properties"
    } | sed -e "s#@DATA_DIR@#$home#g" -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" \
        -e "s#@NODE_ID@#$node#g" -e "s#@CONTROLLERS@#$controllers#g" > "$home/server.properties"
    return
  fi
  if [ "$secure" = 0 ]; then
    sed -e "s#@DATA_DIR@#$home#" -e "s#@PORT@#$port#" -e "s#@CONTROLLER_PORT@#$controller_port#" \
      "$here/server.properties" > "$home/server.properties"
    return
  fi
  # server.properties stays the one place for what both modes share; secure.properties replaces
  # the keys it names (listeners, ...) and adds the TLS, SASL and ACL settings.
  {
    awk -F= 'NR == FNR { if ($0 !~ /^[[:space:]]*(#|$)/) replaced[$1] = 1; next }
             /^[[:space:]]*(#|$)/ || !($1 in replaced)' "$here/secure.properties" "$here/server.properties"
    echo
    cat "$here/secure.properties"
  } | sed -e "s#@DATA_DIR@#$home#g" -e "s#@SECRETS_DIR@#$secrets#g" -e "s#@SASL_PORT@#$port#g" \
      -e "s#@MTLS_PORT@#$mtls_port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" \
      -e "s#@STORE_PASSWORD@#$(cat "$secrets/store.password")#g" > "$home/server.properties"
}

# ---- secured mode: credentials, ACLs, client env files ----

# Principals a client can authenticate as; admin is the operator's (a super user, like the broker).
scram_users=(admin news-pipeline reader)
mtls_principal=news-pipeline-mtls

need_tools() {
  local tool
  for tool in openssl keytool "$java"; do
    command -v "$tool" > /dev/null || { log "secured mode needs $tool on PATH"; exit 1; }
  done
}

openssl_config() {
  cat <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[broker]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
# The broker is also a TLS client: of itself (inter-broker listener) and of its controller.
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
}

# issue NAME EXTENSIONS: NAME.key and NAME.pem, signed by the throw-away CA, subject
# CN=NAME,OU=news-pipeline,O=news-pipeline-local (ssl.principal.mapping.rules maps it to User:NAME).
issue() {
  openssl req -new -config "$secrets/openssl.cnf" -newkey rsa:2048 -nodes -keyout "$secrets/$1.key" \
    -subj "/O=news-pipeline-local/OU=news-pipeline/CN=$1" -out "$secrets/$1.csr" 2> /dev/null
  openssl x509 -req -in "$secrets/$1.csr" -CA "$secrets/ca.pem" -CAkey "$secrets/ca.key" \
    -CAserial "$secrets/ca.srl" -CAcreateserial -days 825 -sha256 \
    -extfile "$secrets/openssl.cnf" -extensions "$2" -out "$secrets/$1.pem" 2> /dev/null
  rm -f "$secrets/$1.csr"
}

# New CA, certificates, stores and passwords: only for fresh storage, whose SCRAM users are
# created from these passwords when it is formatted.
make_secrets() {
  local store_password user
  rm -rf "$secrets"
  mkdir -p "$secrets"
  log "making a throw-away CA, certificates and passwords in $secrets"
  openssl_config > "$secrets/openssl.cnf"
  openssl req -x509 -config "$secrets/openssl.cnf" -extensions ca -newkey rsa:2048 -nodes \
    -keyout "$secrets/ca.key" -out "$secrets/ca.pem" -days 825 -sha256 \
    -subj "/O=news-pipeline-local/OU=throw-away-ca/CN=news-pipeline local CA" 2> /dev/null
  issue kafka-broker broker
  issue "$mtls_principal" client
  for user in store "${scram_users[@]}"; do openssl rand -hex 24 > "$secrets/$user.password"; done
  store_password=$(cat "$secrets/store.password")
  openssl pkcs12 -export -in "$secrets/kafka-broker.pem" -inkey "$secrets/kafka-broker.key" \
    -certfile "$secrets/ca.pem" -name kafka-broker -out "$secrets/broker.keystore.p12" \
    -passout "pass:$store_password"
  # keytool, not openssl: Java trusts only PKCS12 certificate entries carrying its trust attribute.
  keytool -importcert -noprompt -alias news-pipeline-ca -file "$secrets/ca.pem" -storetype PKCS12 \
    -keystore "$secrets/truststore.p12" -storepass "$store_password" > /dev/null 2>&1
  cat > "$secrets/admin.properties" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(cat "$secrets/admin.password")";
ssl.truststore.type=PEM
ssl.truststore.location=$secrets/ca.pem
PROPS
}

scram_args() {
  local user
  for user in "${scram_users[@]}"; do
    printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n' "$user" "$(cat "$secrets/$user.password")"
  done
}

write_env_files() {
  local user
  for user in news-pipeline reader; do
    cat > "$home/$user.env" <<ENV
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$port
KAFKA_SECURITY_PROTOCOL=SASL_SSL
KAFKA_SASL_MECHANISM=SCRAM-SHA-512
KAFKA_SASL_USERNAME=$user
KAFKA_SASL_PASSWORD_FILE=$secrets/$user.password
KAFKA_SASL_PASSWORD=$(cat "$secrets/$user.password")
KAFKA_SSL_CAFILE=$secrets/ca.pem
ENV
  done
  cat > "$home/mtls.env" <<ENV
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$mtls_port
KAFKA_SECURITY_PROTOCOL=SSL
KAFKA_SSL_CAFILE=$secrets/ca.pem
KAFKA_SSL_CERTFILE=$secrets/$mtls_principal.pem
KAFKA_SSL_KEYFILE=$secrets/$mtls_principal.key
ENV
}

acl() {
  local attempt
  for attempt in 1 2 3; do
    if run_tool org.apache.kafka.tools.AclCommand --bootstrap-server "127.0.0.1:$port" \
        --command-config "$secrets/admin.properties" --add "$@" >> "$home/logs/acls.log" 2>&1; then
      return 0
    fi
    log "granting ACLs failed (attempt $attempt; see $home/logs/acls.log)"
    sleep 2
  done
  return 1
}

# Least privilege: a deployment runs the same grants with kafka-acls.sh (issue 10).
grant_acls() {
  local pipeline=(--allow-principal User:news-pipeline --allow-principal "User:$mtls_principal")
  local topics=(--topic news. --topic news-pipeline) groups=(--group news-pipeline)
  local txns=(--transactional-id news-pipeline)
  if [ -n "$test_prefix" ]; then
    topics+=(--topic "$test_prefix"); groups+=(--group "$test_prefix")
    txns+=(--transactional-id "$test_prefix")
  fi
  # ACLs live in the cluster metadata: granted once per home, and again when this function or the
  # prefixes change (a re-grant adds; ACLs dropped from here stay until removed with --remove).
  local spec
  spec=$(printf '%s\n' "$(declare -f grant_acls acl)" "$test_prefix" | sha256sum | cut -d' ' -f1)
  [ "$(cat "$home/acls.granted" 2> /dev/null)" = "$spec" ] && return 0
  log "granting ACLs (log: $home/logs/acls.log)"
  : > "$home/logs/acls.log"
  # news-pipeline and its mTLS twin: their topics (Faust's internal ones start with its app id),
  # consumer groups (Faust's app id) and transactional ids (exactly-once), idempotent producing.
  acl "${pipeline[@]}" --resource-pattern-type prefixed "${topics[@]}" \
    --operation Read --operation Write --operation Describe --operation Create --operation DescribeConfigs
  acl "${pipeline[@]}" --resource-pattern-type prefixed "${groups[@]}" \
    --operation Read --operation Describe --operation Delete
  acl "${pipeline[@]}" --resource-pattern-type prefixed "${txns[@]}" --operation Write --operation Describe
  acl "${pipeline[@]}" --cluster --operation IdempotentWrite
  # reader: consumes the pipeline's results and dead letters, in groups named reader*.
  acl --allow-principal User:reader --topic news.enriched --topic news.deadletter \
    --operation Read --operation Describe
  acl --allow-principal User:reader --resource-pattern-type prefixed --group reader --operation Read
  echo "$spec" > "$home/acls.granted"
}

# ---- both modes ----

start() {
  if answers; then
    log "already up on 127.0.0.1:$port"
    if [ "$secure" = 1 ]; then grant_acls; write_env_files; fi
    return 0
  fi
  [ "$secure" = 0 ] || need_tools
  mkdir -p "$home/logs"
  resolve
  local format_args=()
  if [ ! -f "$home/kraft-logs/meta.properties" ]; then
    if [ "$secure" = 1 ]; then
      make_secrets
      mapfile -t format_args < <(scram_args)
      rm -f "$home/acls.granted"
    fi
  elif [ "$secure" = 1 ] && [ ! -s "$secrets/store.password" ]; then
    log "$home has storage but no secrets; remove $home to set the secured broker up afresh"
    return 1
  fi
  render_config
  if [ ! -f "$home/kraft-logs/meta.properties" ]; then
    log "formatting storage in $home/kraft-logs"
    run_java kafka.tools.StorageTool format --standalone -t "$(run_java kafka.tools.StorageTool random-uuid)" \
      -c "$home/server.properties" "${format_args[@]}" > "$home/logs/format.log" 2>&1
  fi
  launch
  wait_up || return 1
  if [ "$secure" = 1 ]; then grant_acls; write_env_files; log "client settings: $home/{news-pipeline,reader,mtls}.env"; fi
}

launch() {
  log "starting on 127.0.0.1:$port (log: $home/logs/server.log)"
  nohup setsid bash -c "$(declare -f run_java); java='$java' home='$home' here='$here' classpath_file='$classpath_file' run_java kafka.Kafka '$home/server.properties'" \
    > "$home/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$pid_file"
}

wait_up() {
  for _ in $(seq "$timeout"); do
    if answers; then log "up on 127.0.0.1:$port after ${SECONDS}s"; return 0; fi
    if ! running_pid > /dev/null; then log "broker exited; last lines of its output:"; tail -20 "$home/logs/stdout.log" >&2; return 1; fi
    sleep 1
  done
  log "127.0.0.1:$port did not answer within ${timeout}s"; return 1
}

# ---- cluster mode ----

# The nodes asked for: all three, or the one --node names.
selected_nodes() {
  if [ -n "$only_node" ]; then echo "$only_node"; else echo "${nodes[@]}"; fi
}

cluster_start() {
  mkdir -p "$cluster_home"
  resolve
  # One cluster id and one metadata-directory id per node, chosen once: every node is formatted
  # with the same initial controller set (KRaft's dynamic quorum).
  if [ ! -s "$cluster_home/ids" ]; then
    { run_java kafka.tools.StorageTool random-uuid
      for _ in "${nodes[@]}"; do run_java kafka.tools.StorageTool random-uuid; done; } > "$cluster_home/ids"
  fi
  # The controllers' addresses are written into each node's storage when it is formatted.
  if [ ! -s "$cluster_home/port_base" ]; then echo "$port_base" > "$cluster_home/port_base"; fi
  if [ "$(cat "$cluster_home/port_base")" != "$port_base" ]; then
    log "$cluster_home was formatted for ports from $(cat "$cluster_home/port_base"), not $port_base; remove it to start afresh"
    return 1
  fi
  mapfile -t ids < "$cluster_home/ids"
  local initial="" n
  for n in "${nodes[@]}"; do initial+="$n@127.0.0.1:$((port_base + 100 * n + 1)):${ids[$n]},"; done
  initial=${initial%,}
  # All nodes are launched before any is waited for: a broker answers only once a quorum of
  # controllers has formed.
  for n in $(selected_nodes); do
    use_node "$n"
    if answers; then
      # Ours only when this home's pid file names a live broker: anything else on the port would
      # pass for a node and leave the cluster a node short.
      if running_pid > /dev/null; then log "node $n already up on 127.0.0.1:$port"; continue; fi
      log "127.0.0.1:$port answers but node $n is not running from $home: another process holds the port (set KAFKA_CLUSTER_PORT_BASE)"
      return 1
    fi
    mkdir -p "$home/logs"
    render_config
    if [ ! -f "$home/kraft-logs/meta.properties" ]; then
      log "formatting node $n in $home/kraft-logs"
      run_java kafka.tools.StorageTool format -t "${ids[0]}" -c "$home/server.properties" \
        --initial-controllers "$initial" > "$home/logs/format.log" 2>&1
    fi
    launch
  done
  for n in $(selected_nodes); do use_node "$n"; wait_up || return 1; done
  log "cluster up: KAFKA_BOOTSTRAP_SERVERS=$bootstrap NEWS_PIPELINE_REPLICATION_FACTOR=3"
  echo "KAFKA_BOOTSTRAP_SERVERS=$bootstrap"
}

cluster_stop() {
  # All at once: stopped one by one, the last nodes would lose their quorum and wait for it.
  local n stopping=()
  for n in $(selected_nodes); do use_node "$n"; request_stop && stopping+=("$n"); done
  for n in "${stopping[@]}"; do use_node "$n"; await_stop; done
}

cluster_status() {
  local n
  for n in $(selected_nodes); do use_node "$n"; answers || return 1; done
}

stop() {
  request_stop && await_stop
  return 0
}

# SIGTERM to the broker's process group; status 1 when nothing is running.
request_stop() {
  local pid
  if ! pid=$(running_pid); then log "not running"; rm -f "$pid_file"; return 1; fi
  log "stopping (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
}

# Wait for the whole group (the JVM too) to exit; SIGKILL it after 30 s.
await_stop() {
  local pid
  pid=$(cat "$pid_file")
  for _ in $(seq 30); do
    group_alive "$pid" || { rm -f "$pid_file"; log "stopped"; return 0; }
    sleep 1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" || true
  rm -f "$pid_file"; log "killed after 30s"
}

if [ "$cluster" = 1 ]; then
  case "$command" in
    start) cluster_start ;;
    stop) cluster_stop ;;
    status) cluster_status ;;
    *) usage ;;
  esac
  exit
fi
case "$command" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) usage ;;
esac
