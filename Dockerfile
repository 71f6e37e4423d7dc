# coachapp: one image for every role. The default command serves the web app with gunicorn;
# docker-compose.yml runs the same image as the Celery worker and beat with other commands.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. Every runtime requirement ships
# binary wheels (psycopg[binary], cryptography), so the slim image needs no compiler.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

RUN groupadd --system coachapp && useradd --system --gid coachapp --home-dir /app --no-create-home coachapp

COPY --chown=coachapp:coachapp . .

# Static files are collected at build time with throw-away secrets that exist only for this command:
# settings refuse to load without them in production mode, and nothing here is kept in the image's
# environment. The runtime secrets come from the environment (.env / docker compose).
RUN DJANGO_DEBUG=false \
    SECRET_KEY=collectstatic-build-only \
    FIELD_ENCRYPTION_KEY="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    python manage.py collectstatic --noinput \
 && mkdir -p var \
 && chown -R coachapp:coachapp var staticfiles

USER coachapp

EXPOSE 8000

# A TCP check: the server accepts connections. (Swap for an HTTP check once the app has a health URL.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 8000), 3).close()"]

# WEB_CONCURRENCY (gunicorn reads it) sets the number of worker processes; logs go to stdout/stderr; the rest
# (bind, the access log without tokens, trusted proxies) is in gunicorn.conf.py.
CMD ["gunicorn", "coachapp.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--config", "gunicorn.conf.py"]
