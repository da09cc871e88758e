"""gunicorn's settings for 帮扶通 behind nginx (deploy/nginx/bangfutong.conf).

Started by deploy/systemd/bangfutong-web.service as
``gunicorn --config deploy/gunicorn.conf.py "app:create_app()"``; every value can be
overridden from the environment file (/etc/bangfutong/env) without editing this file.
"""

import os

# nginx on the same host talks to this address; nothing else should.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes x threads = requests served at once. Two processes per core is plenty for an
# office or a city; each process keeps its own database connection pool.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Background jobs (the audit package, the registry import, a big bank answer) run in a thread
# of the process that started them (app/services/jobs.py): a worker is never recycled after
# N requests, and a graceful stop gives a running job time to end. A job cut off by a restart
# is recorded as interrupted (its heartbeat stops) and can be started again.
max_requests = 0
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "60"))
# Uploading and checking a 20,000-row sheet, or planning a big campaign, still happen inside
# the request: allow them two minutes (nginx's proxy_read_timeout says the same).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# X-Forwarded-Proto is believed from nginx on this host only; the app itself trusts the
# number of proxies in PROXY_FIX_X_FOR (set it to 1 behind this nginx).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No access log here: a URL's query can carry what a person searched for (a name, an ID
# number); nginx keeps the access log without query strings. Errors go to the journal.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
