FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir -e . \
 && DEBUG=true python manage.py collectstatic --noinput
RUN useradd --system --home /app ipfund && mkdir -p /srv/ipfund/media && chown -R ipfund /srv/ipfund
USER ipfund
EXPOSE 8000
