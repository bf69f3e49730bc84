"""Gunicorn settings for every app server (docs/DEPLOYMENT.md): `gunicorn -c config/gunicorn.py config.wsgi`.

Sync workers: each request holds one worker and one database connection for its whole life, which
suits CPU-bound pages (decrypt and score) behind a buffering load balancer that absorbs slow clients.
Every value can be set from the environment so one file serves the benchmark and production.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# CPU-bound Python with short database waits: about two workers per core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# A stuck request (a lost database, a runaway search) is killed rather than holding a worker forever.
# The settings read the same variable with the same default (GUNICORN_TIMEOUT in config/settings/base.py):
# the feeds API's in-flight slots outlive it. Change both together (checked by a test in feeds/tests).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never build up; jitter stops them restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = 1000
# Import Django once in the master: workers fork from it (database connections open lazily, per worker).
preload_app = True
# No access log: paths carry child ids, and the audit log is the record of who saw what.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Behind the load balancer: trust its X-Forwarded-Proto from these addresses only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
