# One image for web, worker and beat (production shape; see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false POOLING_VAR_DIR=/var/lib/pooling
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY pooling ./pooling
COPY enrollment ./enrollment
COPY providers ./providers
COPY funds ./funds
COPY settlement ./settlement
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY manage.py ./
RUN pip install --no-cache-dir -e . \
    && SECRET_KEY=build-only python manage.py collectstatic --no-input -v0
RUN useradd --system --home /app pooling && mkdir -p /var/lib/pooling && chown pooling /var/lib/pooling
USER pooling
EXPOSE 8000
CMD ["gunicorn", "pooling.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
