# NN Playground: one container serves a whole class (see docs/deploy.md for scaling out).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NN_PLAYGROUND_HOST=0.0.0.0 \
    NN_PLAYGROUND_PORT=8000 \
    NN_PLAYGROUND_DATA_DIR=/data

WORKDIR /srv/nn-playground

# Fashion-MNIST for the digits workspace (/digits): Debian's package, 70,000 images, 30 MB
# (docs/digits.md). First, as it changes least; apt's lists, package caches and the .deb
# itself are removed in the same layer.
RUN apt-get update \
    && apt-get install -y --no-install-recommends dataset-fashion-mnist=0.0~git20200523.55506a9-1 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin

# Then the dependencies, in a layer of their own: exact versions, hash-checked (scripts/lock makes
# requirements.lock). An edit to the app or the docs rebuilds only the layers below, in seconds.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock \
    && useradd --system --uid 10001 --no-create-home playground \
    && mkdir /data && chown 10001 /data

# Classes (SQLite, docs/deploy.md) live here: mount a volume to keep them across containers.
VOLUME ["/data"]

# The app itself: its dependencies are all there (--no-deps), and so is its build backend.
COPY pyproject.toml README.md ./
COPY app/ app/
COPY static/ static/
COPY templates/ templates/
RUN pip install --no-cache-dir --no-deps --no-build-isolation .

# Run from an empty directory: the installed package must find its own assets.
WORKDIR /tmp
USER 10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

# `docker stop` sends SIGTERM: every student gets a final checkpoint and reconnects elsewhere
# (docs/deploy.md); it waits 10 s before SIGKILL, more than the 5 s the drain may take.
CMD ["nn-playground", "--host", "0.0.0.0"]
