# Production image: Django under gunicorn, the same image runs the Celery worker and beat.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders letters and notices with Pango; fonts ship in static/.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 app
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY . .
# Named volumes mounted here copy this ownership when first created, so the app user
# can write the PDFs (DOCUMENTS_ROOT) and beat's schedule.
RUN DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --no-input \
 && chown -R app:app /app \
 && install -d -o app -g app /data/documents /data/beat
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
