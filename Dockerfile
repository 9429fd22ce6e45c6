# The policygraph API (FastAPI + CLI).  Used by docker-compose.yml; runs on its own too
# (embedded Oxigraph and Qdrant Edge in /data when no server URLs are set).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    POLICYGRAPH_DATA=/data \
    POLICYGRAPH_MODELS_DIR=/opt/policygraph/models

WORKDIR /app
# torch first, as scripts/setup.sh does, so the rest does not pull another build
RUN pip install "torch==2.13.0"
COPY pyproject.toml README.md ./
COPY core core
COPY ingest ingest
COPY ontology ontology
COPY graph graph
COPY indexes indexes
COPY service service
COPY api api
RUN pip install . \
    && python -c "from pathlib import Path; from policygraph.indexes.e5_build import build_e5_model; \
build_e5_model(Path('/opt/policygraph/models/e5-small'), quantize='none')" \
    && useradd --create-home --uid 10001 policygraph \
    && mkdir -p /data && chown policygraph /data

USER policygraph
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"
CMD ["policygraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
