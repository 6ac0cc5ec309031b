#!/usr/bin/env bash
# Benchmark, one machine, one run: the same wrk load against
#   direct   — nginx returning a fixed chat.completion (the mock upstream)
#   gateway  — llm-gateway (release build) proxying to that nginx
#   haproxy  — haproxy (nbthread 2, keep-alive both sides) proxying to that nginx
# at 1 and 64 connections. Prints a markdown table and writes it to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
UPSTREAM_PORT=18081 HAPROXY_PORT=18082 GATEWAY_PORT=18083 METRICS_PORT=18084
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

missing=()
for tool in wrk nginx haproxy; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light haproxy >/dev/null
fi

./scripts/build-deps.sh >&2
echo "== building llm-gateway (release)" >&2
swift build -c release --product llm-gateway >&2
binary=$(swift build -c release --show-bin-path)/llm-gateway

body=$(tr -d '\n' < bench/completion.json)
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    client_body_temp_path $work/body;
    server {
        listen 127.0.0.1:$UPSTREAM_PORT;
        location / {
            default_type application/json;
            return 200 '$body';
        }
    }
}
CONF
nginx -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)

cat > "$work/haproxy.cfg" <<CONF
global
    nbthread 2
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
    http-reuse always
frontend bench
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend upstream
backend upstream
    server nginx 127.0.0.1:$UPSTREAM_PORT maxconn 1000
CONF
haproxy -f "$work/haproxy.cfg" -db &
pids+=($!)

cat > "$work/gateway.yaml" <<CONF
server:
  host: 127.0.0.1
  port: $GATEWAY_PORT
  metrics_port: $METRICS_PORT
logging:
  level: info
providers:
  bench:
    type: openai
    base_url: http://127.0.0.1:$UPSTREAM_PORT
    api_key: sk-bench
models:
  bench-model:
    - provider: bench
      model: bench-model
CONF
# Every signal on: metrics, an access log line per request, and spans exported over OTLP/HTTP with gzip
# (nginx answers the export POSTs with 200, standing in for a collector).
OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$UPSTREAM_PORT" OTEL_BSP_SCHEDULE_DELAY=1000 \
    "$binary" serve --config "$work/gateway.yaml" > "$work/gateway.log" 2>&1 &
pids+=($!)
gateway_pid=$!

for port in $UPSTREAM_PORT $HAPROXY_PORT $GATEWAY_PORT; do
    for _ in $(seq 100); do
        curl -sf -o /dev/null -X POST -H 'content-type: application/json' -d '{"model":"bench-model","messages":[{"role":"user","content":"x"}]}' "http://127.0.0.1:$port/v1/chat/completions" && break
        sleep 0.1
    done
done

# wrk → "req/s p50_us p99_us"
measure() {
    local port=$1 connections=$2 threads=1
    ((connections > 1)) && threads=2
    wrk -t"$threads" -c"$connections" -d"$DURATION" --latency -s bench/chat.lua "http://127.0.0.1:$port/v1/chat/completions" |
        awk '
            function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
            /Requests\/sec/ { rps = $2 }
            $1 == "50.000%" || $1 == "50%" { p50 = us($2) }
            $1 == "99.000%" || $1 == "99%" { p99 = us($2) }
            /Non-2xx/ { errors = $NF }
            END { printf "%.0f %.0f %.0f %s\n", rps, p50, p99, (errors == "" ? 0 : errors) }'
}

declare -A result
for connections in 1 64; do
    for target in direct:$UPSTREAM_PORT gateway:$GATEWAY_PORT haproxy:$HAPROXY_PORT; do
        name=${target%%:*}
        port=${target##*:}
        measure "$port" 2 >/dev/null  # warm-up connections and pools
        result[$name-$connections]=$(measure "$port" "$connections")
        echo "  $name @ $connections conn: ${result[$name-$connections]}" >&2
    done
done
rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$gateway_pid/status")

mkdir -p bench/results
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ).md"
{
    echo "| target | conns | req/s | p50 (µs) | p99 (µs) | non-2xx | req/s ÷ haproxy |"
    echo "|---|---|---|---|---|---|---|"
    for connections in 1 64; do
        read -r hrps _ _ _ <<< "${result[haproxy-$connections]}"
        for name in direct gateway haproxy; do
            read -r rps p50 p99 errors <<< "${result[$name-$connections]}"
            ratio=$(awk -v a="$rps" -v b="$hrps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
            echo "| $name | $connections | $rps | $p50 | $p99 | $errors | $ratio |"
        done
    done
    read -r _ dp50 dp99 _ <<< "${result[direct-1]}"
    read -r _ gp50 gp99 _ <<< "${result[gateway-1]}"
    echo
    echo "Added latency at 1 connection (gateway − direct): p50 $((gp50 - dp50)) µs, p99 $((gp99 - dp99)) µs."
    echo "Gateway peak RSS (VmHWM) during the run: $((rss_kb / 1024)) MiB. wrk duration per cell: $DURATION; $(nproc) cores."
} | tee "$out"
