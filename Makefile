# make run  — set up and serve the platform with the Shaoguan demo data (SQLite) at http://127.0.0.1:8000
# make test — set up and run the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set)
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run serve test setup system-packages migrate demo worker bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) system-packages

# Chromium and a Chinese font for browser tests and PDFs; installed when missing and running as root.
system-packages:
	@if [ "$$(id -u)" = "0" ] && { ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wqy; }; then \
		echo "安装 chromium 与中文字体 …"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
		|| echo "（未能安装 chromium/字体：浏览器测试将跳过）"; \
	fi

migrate: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py load_demo

# Beside the site: the task worker and the scheduled jobs every 2 minutes (closing due notices …; production runs
# `manage.py run_scheduled` once from a timer instead); both stop with the server.
run: demo
	@echo "后台任务进程与定时任务（每2分钟）已启动；网站：http://127.0.0.1:8000 （Ctrl-C 退出）"
	@$(PY) manage.py db_worker --interval 1 >var/worker.log 2>&1 & WORKER=$$!; \
		$(PY) manage.py run_scheduled --every 120 >var/scheduled.log 2>&1 & SCHEDULED=$$!; \
		trap "kill $$WORKER $$SCHEDULED 2>/dev/null" EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:8000

# The production form on this machine (deploy/README.md): production settings (DEBUG off, secure cookies, HSTS, SSL
# redirect behind a TLS proxy that sends X-Forwarded-Proto), static files collected and served by WhiteNoise, gunicorn
# with WEB_WORKERS processes on BIND, TASK_WORKERS task workers and the scheduler; every setting from the environment
# (DATABASE_URL, REDIS_URL, S3_BUCKET …, deploy/env.example). The keys default to var/'s, as for `make run`.
WEB_WORKERS ?= 2
TASK_WORKERS ?= 1
BIND ?= 127.0.0.1:8001
serve: migrate
	@set -e; export DJANGO_ENV=production \
		SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" \
		FIELD_ENCRYPTION_KEY="$${FIELD_ENCRYPTION_KEY:-$$(cat var/field_encryption_key)}" \
		SECURE_PROXY_SSL_HEADER="$${SECURE_PROXY_SSL_HEADER-HTTP_X_FORWARDED_PROTO}" \
		TRUSTED_PROXY_COUNT="$${TRUSTED_PROXY_COUNT-1}" \
		PROMETHEUS_MULTIPROC_DIR="$${PROMETHEUS_MULTIPROC_DIR:-$(CURDIR)/var/prometheus}" \
		WEB_WORKERS=$(WEB_WORKERS) BIND=$(BIND); \
	rm -rf "$$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$$PROMETHEUS_MULTIPROC_DIR"; \
	$(PY) manage.py collectstatic --noinput -v 0; \
	$(PY) manage.py check --deploy --fail-level ERROR; \
	PIDS=""; i=0; while [ $$i -lt $(TASK_WORKERS) ]; do \
		$(PY) manage.py db_worker --interval 1 >>var/worker-$$i.log 2>&1 & PIDS="$$PIDS $$!"; i=$$((i+1)); done; \
	$(PY) manage.py run_scheduled --every 300 >>var/scheduled.log 2>&1 & PIDS="$$PIDS $$!"; \
	trap 'kill $$PIDS 2>/dev/null' EXIT INT TERM; \
	echo "gunicorn：$(WEB_WORKERS) 个进程，$(BIND)（生产设置，置于 TLS 代理之后；见 deploy/README.md）"; \
	$(VENV)/bin/gunicorn config.wsgi -c deploy/gunicorn.conf.py --workers $(WEB_WORKERS) --bind $(BIND)

# Two workers (pytest-xdist), one test module each at a time: the suite fits its budget on 2 cores and on PostgreSQL.
TEST_WORKERS ?= 2
test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: setup
	$(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/db.sqlite3* staticfiles
