#!/bin/sh
# entrypoint.sh SERVICE web|relay|worker: migrate and seed before the web process, then run it.
set -e
service="$1"; role="$2"
case "$role" in
  web)
    if [ "$service" = console ]; then  # no database: nothing to migrate or seed
      exec python -m gunicorn --bind "${LEGALDUTY_BIND:-0.0.0.0}:${LEGALDUTY_CONSOLE_PORT:-8003}" \
        --workers "${LEGALDUTY_WEB_WORKERS:-2}" --worker-class gthread --threads 4 "services.console.app:create_app()"
    fi
    python -m "services.$service" migrate
    python -m "services.$service" seed
    port_var="LEGALDUTY_$(echo "$service" | tr a-z A-Z)_PORT"
    eval port="\${$port_var}"
    exec python -m gunicorn --bind "${LEGALDUTY_BIND:-0.0.0.0}:${port}" --workers "${LEGALDUTY_WEB_WORKERS:-2}" \
      --worker-class gthread --threads 4 --graceful-timeout 5 "services.$service.app:create_app()"
    ;;
  relay|worker) exec python -m "services.$service" "$role" ;;
  *) echo "usage: entrypoint.sh SERVICE web|relay|worker" >&2; exit 2 ;;
esac
