#!/usr/bin/env bash
# A local Spark Connect server for the `spark` feature's tests (and for trying
# `reident metrics --engine spark://127.0.0.1:PORT`).
#
#   scripts/spark-connect.sh start   # installs pyspark into target/spark-venv if missing,
#                                    # starts the server on 127.0.0.1:$REIDENT_SPARK_PORT
#                                    # (default 15002) with local[2], waits until it answers
#   scripts/spark-connect.sh stop    # stops the server this script started
#   scripts/spark-connect.sh status
#
# Needs python3 (venv, pip from PyPI) and Java 17 (installs Debian's
# openjdk-17-jre-headless with apt-get when `java` is missing). Loopback only.
# The server's log is target/spark-connect/server.log; its pid target/spark-connect/pid.
# REIDENT_SPARK_DRIVER_MEMORY sets the driver (and, with local[2], executor) memory (default 1g).
# REIDENT_SPARK_STREAM_SECONDS and REIDENT_SPARK_STREAM_BYTES bound the server's response
# streams (spark.connect.execute.reattachable.senderMaxStreamDuration and senderMaxStreamSize;
# unset: Spark's own 2 min and 1 GB): past either the server ends the stream and the client
# must reattach. The tests (.ci/run) set them tiny (2 s, 1 KiB) so that every query goes
# through the client's reattach path (issue #18: a client that took the end of such a stream for the
# end of the result saw no rows, and reported 0 pairs compared at 1M x 1M).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${REIDENT_SPARK_PORT:-15002}"
VENV="${REIDENT_SPARK_VENV:-target/spark-venv}"
PYSPARK_VERSION="${REIDENT_PYSPARK_VERSION:-4.0.1}"
STATE=target/spark-connect
mkdir -p "$STATE"

ensure_java() {
  if ! command -v java >/dev/null 2>&1; then
    echo "spark-connect: installing openjdk-17-jre-headless (java is missing)"
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless
  fi
}

ensure_pyspark() {
  if ! "$VENV/bin/python" -c "import pyspark" >/dev/null 2>&1; then
    echo "spark-connect: installing pyspark==$PYSPARK_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "pyspark==$PYSPARK_VERSION"
  fi
}

is_up() {
  # The gRPC port accepts connections once the server is ready.
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

start() {
  if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
    echo "spark-connect: already running (pid $(cat "$STATE/pid")) on 127.0.0.1:$PORT"
    return 0
  fi
  if is_up; then
    echo "spark-connect: port $PORT is taken by another process; set REIDENT_SPARK_PORT" >&2
    exit 1
  fi
  ensure_java
  ensure_pyspark
  local spark_home
  spark_home="$("$VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
  local connect_jar
  connect_jar="$(ls "$spark_home"/jars/spark-connect_*.jar 2>/dev/null | head -1 || true)"
  if [ -z "$connect_jar" ]; then
    echo "spark-connect: no spark-connect jar in $spark_home/jars" >&2
    exit 1
  fi
  echo "spark-connect: starting on 127.0.0.1:$PORT (local[2], $connect_jar)"
  SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1 nohup setsid "$spark_home/bin/spark-submit" \
    --master 'local[2]' \
    --class org.apache.spark.sql.connect.service.SparkConnectServer \
    --name "reident Spark Connect" \
    --conf spark.connect.grpc.binding.address=127.0.0.1 \
    --conf spark.connect.grpc.binding.port="$PORT" \
    --conf spark.driver.host=127.0.0.1 \
    --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.ui.enabled=false \
    --conf spark.sql.shuffle.partitions=4 \
    --conf spark.connect.execute.reattachable.senderMaxStreamDuration="${REIDENT_SPARK_STREAM_SECONDS:-120}s" \
    --conf spark.connect.execute.reattachable.senderMaxStreamSize="${REIDENT_SPARK_STREAM_BYTES:-1073741824}" \
    --conf spark.sql.catalogImplementation=in-memory \
    --conf spark.sql.warehouse.dir="$PWD/$STATE/warehouse" \
    --driver-memory "${REIDENT_SPARK_DRIVER_MEMORY:-1g}" \
    "$connect_jar" >"$STATE/server.log" 2>&1 &
  echo $! >"$STATE/pid"
  for _ in $(seq 1 180); do
    if is_up; then
      echo "spark-connect: ready on sc://127.0.0.1:$PORT"
      return 0
    fi
    if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
      echo "spark-connect: the server exited; its log:" >&2
      tail -40 "$STATE/server.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "spark-connect: not ready after 180 s; log in $STATE/server.log" >&2
  stop
  exit 1
}

stop() {
  if [ -f "$STATE/pid" ]; then
    local pid
    pid="$(cat "$STATE/pid")"
    if kill -0 "$pid" 2>/dev/null; then
      # setsid made the server its own process group: stop the group (spark-submit and its JVM).
      kill -- -"$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
      done
      kill -9 -- -"$pid" 2>/dev/null || true
    fi
    rm -f "$STATE/pid"
    echo "spark-connect: stopped"
  else
    echo "spark-connect: not running (no $STATE/pid)"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if is_up; then echo "spark-connect: up on 127.0.0.1:$PORT"; else echo "spark-connect: down"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
