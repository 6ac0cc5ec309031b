#!/usr/bin/env bash
# Prints an nginx config for the OTLP collector stand-in: one worker of its own that reads export POSTs (bodies kept
# in memory) and answers 200, as a collector is a process of its own.  Usage: collector-conf.sh WORKDIR PORT
set -euo pipefail
work=$1 port=$2
cat <<CONF
worker_processes 1;
pid $work/collector.pid;
error_log $work/collector-error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $work;
    client_body_buffer_size 16m;
    server {
        listen 127.0.0.1:$port;
        location / { return 200; }
    }
}
CONF
