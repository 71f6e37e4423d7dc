# gunicorn's settings for coachapp (Dockerfile and docker-compose.yml pass --config gunicorn.conf.py; gunicorn
# also reads it from the working directory by default). Command-line flags win over these.
import os

# The access log without invite or digest tokens (coachapp/logs.py).
logger_class = "coachapp.logs.GunicornLogger"
# X-Forwarded-Proto is honoured from the proxies in TRUSTED_PROXIES only (the same list the sign-in limit and the
# API's throttles read); Django's SECURE_PROXY_SSL_HEADER relies on the proxy being the only way in.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1") or "127.0.0.1"
