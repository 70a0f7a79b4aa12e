# Tracker, for the scale-out setup (compose.yaml): one image for the app servers and the
# queue workers. Pango and fonts for WeasyPrint (PDF statements); no compilers needed.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 \
      fonts-dejavu-core shared-mime-info \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY tracker ./tracker
COPY seed ./seed
RUN pip install . \
 && useradd --system --create-home --home-dir /home/tracker --shell /usr/sbin/nologin tracker \
 && mkdir -p /var/lib/tracker/instance /var/lib/tracker/storage \
 && chown -R tracker:tracker /var/lib/tracker

USER tracker
WORKDIR /home/tracker
ENV TRACKER_INSTANCE_DIR=/var/lib/tracker/instance \
    TRACKER_STORAGE_DIR=/var/lib/tracker/storage
EXPOSE 8000

# The app server; compose.yaml runs the same image as `flask --app tracker worker`.
CMD ["gunicorn", "-c", "python:tracker.gunicorn_conf", "--workers", "3", "--threads", "4", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "tracker:create_app()"]
