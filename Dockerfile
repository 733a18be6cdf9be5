# Production image: gunicorn web, Celery worker and Celery beat all run from it
# (docker-compose.yml chooses the command). Configuration is environment only;
# see docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CASEROOM_ENV=production \
    CASEROOM_DATA_DIR=/var/lib/caseroom \
    PORT=8000

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 tesseract-ocr tesseract-ocr-eng \
      tesseract-ocr-chi-tra poppler-utils \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app --uid 10001 caseroom

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir uv \
 && uv pip install --system --no-cache -r requirements.lock

COPY . .
# Static files and compiled translations are part of the image, not of the data.
RUN python -m devtools.i18n \
 && SECRET_KEY=build-only DATABASE_URL=postgresql://build@localhost/build \
    DATABASE_OWNER_URL=postgresql://build@localhost/build \
    python manage.py collectstatic --noinput \
 && mkdir -p /var/lib/caseroom/media && chown -R caseroom /var/lib/caseroom

USER caseroom
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os;urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
CMD ["sh", "-c", "gunicorn config.wsgi --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --threads 4 --access-logfile -"]
