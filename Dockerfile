# AO Portal: one image for the web process (gunicorn), the Celery worker and beat.
# Build: docker build -t ao-portal .   Run the whole stack: docker compose up --build
FROM python:3.11-slim-bookworm

# Gunicorn: 2 sync workers, measured as fast as 4 on 2 cores (docs/decisions.md).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000 --workers 2 --worker-class sync --timeout 60 --access-logfile - --max-requests 2000 --max-requests-jitter 200"

# gettext compiles the translations below; pango and the CJK fonts let WeasyPrint
# lay out documents in Chinese; postgresql-client (15, as the server) gives
# backup_portal and restore_portal their pg_dump and pg_restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
ARG EXTRAS=""
RUN pip install ".${EXTRAS:+[$EXTRAS]}"

COPY . .

# Translations and static files are built into the image. The secret is a dummy
# that exists only during these two commands; the container refuses to start
# without a real DJANGO_SECRET_KEY.
RUN DJANGO_SECRET_KEY=build-only-dummy-secret-never-used-at-runtime \
    DJANGO_ALLOWED_HOSTS=localhost \
    DJANGO_SITE_URL=https://build.invalid \
    sh -c 'python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0 \
        && python manage.py collectstatic --no-input -v 0' \
    && mkdir -p /app/var/media /app/var/static \
    && chown -R app:app /app/var

USER app

EXPOSE 8000
VOLUME ["/app/var/media"]

# Asks for the home page as the proxy would (first allowed host, HTTPS forwarded),
# so the check passes through ALLOWED_HOSTS and the HTTPS redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import os, http.client; host = os.environ.get('DJANGO_ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); host = 'localhost' if host in ('', '*') else host; conn = http.client.HTTPConnection('127.0.0.1', 8000, timeout=4); conn.request('GET', '/', headers={'Host': host, 'X-Forwarded-Proto': 'https'}); raise SystemExit(conn.getresponse().status >= 500)"]

CMD ["gunicorn", "config.wsgi:application"]
