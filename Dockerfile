# The Letopis image: `crm` is the entry point; without arguments it serves the web API.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only what the package is built from: the virtualenv, the data and the tests stay outside.
# README.md* matches nothing rather than failing when the file is absent.
WORKDIR /build
COPY pyproject.toml README.md* ./
COPY aggregates ./aggregates
COPY analytics ./analytics
COPY commands ./commands
COPY event_store ./event_store
COPY projections ./projections
COPY read_api ./read_api
COPY replay ./replay
COPY letopis ./letopis
RUN pip install . && rm -rf /build

RUN useradd --create-home --uid 10001 letopis \
    && mkdir /data \
    && chown letopis:letopis /data

# Without LETOPIS_DATABASE_URL the embedded store lives in /data; listen beyond the container.
ENV LETOPIS_DATA_DIR=/data \
    LETOPIS_HOST=0.0.0.0 \
    LETOPIS_PORT=8000

USER letopis
WORKDIR /home/letopis
VOLUME ["/data"]
EXPOSE 8000

ENTRYPOINT ["crm"]
CMD ["serve"]
