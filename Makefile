# Two commands matter: `make run` (the portal on its embedded default) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev
# Links in emails (welcome, password reset) point at the served address.
export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: install translations messages run serve test lint lock migrate seed bench bench-long screenshots clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: $(BIN)/uv requirements.lock pyproject.toml
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	touch $@

install: $(VENV)/.installed  ## create or update .venv with the pinned dependencies

translations: install  ## compile locale/*/LC_MESSAGES/django.po to .mo (pure Python, see core/i18n/catalogs.py)
	$(BIN)/python manage.py compiletranslations

# After changing the console's text: refresh the catalogues, then translate the new msgids.
MAKEMESSAGES_IGNORE = --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'staticfiles/*'
messages: install  ## re-extract the text of templates and code into locale/{fr,de,es,it,nl,pt_BR,sv}/LC_MESSAGES/django.po
	$(BIN)/python manage.py makemessages -l fr -l de -l es -l it -l nl -l pt_BR -l sv --no-obsolete $(MAKEMESSAGES_IGNORE)

migrate: translations
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# The demo PBX (manage.py pbx_simulator): PBX_PORT if free, else any free port; stopped when `make run` ends.
PBX_PORT ?= 8882
FREE_PBX_PORT = import socket; s = socket.socket(); busy = s.connect_ex(("127.0.0.1", $(PBX_PORT))) == 0; s.close(); \
	t = socket.socket(); t.bind(("127.0.0.1", 0 if busy else $(PBX_PORT))); print(t.getsockname()[1]); t.close()
WAIT_PBX = import socket, sys, time; port = int(sys.argv[1]); \
	any(socket.socket().connect_ex(("127.0.0.1", port)) == 0 or time.sleep(0.2) for _ in range(50))

# The background worker of `make run`: Celery on kombu's filesystem transport (var/queue/, see
# portal/settings/dev.py), with its beat for the periodic work; one process, stopped with `make run`.
WORKER = $(BIN)/celery -A portal worker --pool=solo --beat --schedule var/celerybeat-schedule \
	--without-mingle --without-gossip --without-heartbeat --loglevel=WARNING

run: migrate  ## install, migrate, start the demo PBX simulator and the task worker, seed the demo and serve on http://$(HOST):$(PORT)
	@pbx_port=$$($(BIN)/python -c '$(FREE_PBX_PORT)'); \
	$(BIN)/python manage.py pbx_simulator --host 127.0.0.1 --port $$pbx_port & pbx_pid=$$!; \
	$(WORKER) & worker_pid=$$!; \
	trap 'kill $$pbx_pid $$worker_pid 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -c '$(WAIT_PBX)' $$pbx_port; \
	$(BIN)/python manage.py seed_demo --pbx-port $$pbx_port && \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production shape (docs/production.md): gunicorn web, a Celery worker and beat from the Procfile
# (honcho), on production settings read from the environment. DATABASE_URL and REDIS_URL are
# required; the broker defaults to REDIS_URL. SERVE_PROCESSES="web worker" leaves beat out.
SERVE_PROCESSES ?=
serve: translations  ## production shape from the environment (docs/production.md): gunicorn on PORT, a Celery worker, beat
	@test -n "$$DATABASE_URL" || { echo "make serve: set DATABASE_URL (postgres://...)" >&2; exit 2; }
	@test -n "$$REDIS_URL" || { echo "make serve: set REDIS_URL (redis://...)" >&2; exit 2; }
	@export DJANGO_SETTINGS_MODULE=portal.settings.base CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$$REDIS_URL}" \
		PATH="$(CURDIR)/$(BIN):$$PATH"; \
	$(BIN)/python manage.py migrate --noinput || exit 1; \
	static_root="$${STATIC_ROOT:-staticfiles}"; \
	if [ ! -f "$$static_root/staticfiles.json" ] || \
		[ -n "$$(find static */static requirements.lock -newer "$$static_root/staticfiles.json" -print -quit 2>/dev/null)" ]; then \
		echo "collectstatic into $$static_root (once per change of the static files)"; \
		$(BIN)/python manage.py collectstatic --noinput --verbosity 0 || exit 1; \
	fi; \
	exec $(BIN)/honcho --procfile Procfile start --port $(PORT) $(SERVE_PROCESSES)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: translations  ## ruff + the whole test suite
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: translations  ## print every benchmark's figures (throw-away databases; see bench/*.py)
	@for script in bench/*.py; do echo "== $$script"; \
		if [ "$$script" = bench/costs.py ] && [ -z "$$DATABASE_URL" ]; then echo "skipped: measures PostgreSQL, set DATABASE_URL"; continue; fi; \
		DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python $$script || exit 1; done
	@echo "== bench/load/run.py --short (two instances under locust; needs DATABASE_URL on PostgreSQL and REDIS_URL)"
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then $(BIN)/python bench/load/run.py --short; \
		else echo "skipped: set DATABASE_URL (PostgreSQL) and REDIS_URL"; fi

bench-long: translations  ## the long load run (docs/production.md, Load): 10,000 and 100,000 users, 5 minutes
	$(BIN)/python bench/load/run.py

screenshots: install  ## every main page at 1366 px and 390 px, per role, into var/screenshots/ (open index.html)
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python -m pytest -p no:cacheprovider -q -s tests/browser/screenshots.py

lock: $(BIN)/uv  ## re-pin requirements.lock from pyproject.toml (no download URLs recorded)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) var/*.sqlite3* var/queue var/celerybeat-schedule*
