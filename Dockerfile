# Multi-stage: build a virtualenv with the pinned set, then copy it into a slim, non-root image.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml requirements.lock ./
COPY protos protos
COPY tools tools
COPY retrieval retrieval
COPY agent agent
COPY service service
COPY evals evals
RUN pip install --no-cache-dir -c requirements.lock .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 app
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    GRPC_PORT=9001 \
    HTTP_PORT=8081
USER app
WORKDIR /home/app
EXPOSE 9001 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"HTTP_PORT\"]}/health/ready', timeout=2)"
CMD ["test-data-agent", "serve"]
