"""Settings: environment variables (and an optional .env file), read once at start-up, only here."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# 10,000 records of the largest entity are about 20 MB of JSON; unary responses must fit.
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    grpc_port: int = Field(9001, ge=0, le=65535)
    http_port: int = Field(8081, ge=0, le=65535)
    host: str = "0.0.0.0"
    max_sync_records: int = Field(10_000, ge=1, le=1_000_000)
    max_stream_records: int = Field(50_000_000, ge=1)
    default_chunk_size: int = Field(1000, ge=1, le=100_000)
    max_chunk_size: int = Field(50_000, ge=1)
    max_message_bytes: int = Field(DEFAULT_MAX_MESSAGE_BYTES, ge=1024 * 1024)
    max_context_chars: int = Field(20_000, ge=0)
    # Generation admitted at once (service/admission.py); health and cheap RPCs are never refused.
    max_concurrent_requests: int = Field(128, ge=1)  # unary GenerateData calls
    max_requests_per_client: int = Field(64, ge=1)
    # Unary responses built for a client and not yet delivered; past it, its new calls wait.
    max_unread_bytes_per_client: int = Field(256 * 1024 * 1024, ge=1024 * 1024)
    max_concurrent_streams: int = Field(32, ge=1)  # GenerateDataStream and GenerateDataset
    max_streams_per_client: int = Field(8, ge=1)
    # Worker processes that make large streams' blocks (service/workers.py); unset: the CPUs this
    # container may use (affinity and cgroup quota); 0: every request in-process.
    generation_workers: int | None = Field(None, ge=0, le=256)
    # A stream whose client reads nothing for this long is ended (DEADLINE_EXCEEDED) and its slot freed.
    stream_idle_timeout_s: float = Field(30.0, gt=0, le=3600)
    # The largest request message accepted (responses may be up to max_message_bytes).
    max_request_bytes: int = Field(16 * 1024 * 1024, ge=64 * 1024)
    shutdown_grace_s: float = Field(10.0, ge=0)
    # SIGTERM: health says NOT_SERVING / 503 this long, still serving, before the drain starts, so
    # load balancers stop routing here first. Kubernetes: keep delay + grace under the pod's
    # terminationGracePeriodSeconds.
    shutdown_delay_s: float = Field(2.0, ge=0, le=60)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    # /openapi.json, /docs and /redoc on the HTTP port (unauthenticated); off by default.
    http_docs: bool = False
    # The quality report (/api/report, the page) reads at most this many of a request's rows, and says so.
    report_max_rows: int = Field(100_000, ge=1, le=10_000_000)

    anthropic_api_key: SecretStr | None = None
    anthropic_model: str = "claude-sonnet-4-6"
    anthropic_base_url: str | None = None
    # `test-data-agent seed`: a few sample values of a column whose name no rule reads go to the model
    # with its name, type and comment. Off: the model sees names, types and comments only.
    send_samples_to_model: bool = False
    # The model's whole budget per request; past it the deterministic plan serves. Sized for a rich
    # plan (agent/model_planner.PlannerSettings says how): an estimate of ~165 s to write a 5,000-token
    # plan twice at ~63 output tokens/s, rounded up. A client's deadline cuts it short, in time for the
    # fallback's rows to be made before the deadline.
    model_timeout_s: float = Field(180.0, gt=0, le=600)
    model_request_limit: int = Field(8, ge=1, le=50)
    model_token_budget: int = Field(60_000, ge=1000)
    model_max_tokens: int = Field(8192, ge=256, le=21_333)
    model_max_retries: int = Field(2, ge=0, le=5)
    model_auth_backoff_s: float = Field(60.0, ge=0, le=3600)
    # A plan the model failed to make (invalid after retries, over budget, a garbled answer) is not
    # asked for again this long: identical requests fall back at once and say why. 0: off.
    model_failure_ttl_s: int = Field(120, ge=0, le=3600)
    # Anthropic prompt caching of the instructions, tool definitions and conversation.
    model_prompt_cache: bool = True
    redis_url: str | None = None
    redis_timeout_s: float = Field(0.25, gt=0, le=10)
    cache_ttl_s: int = Field(86_400, ge=1)
    # What `use_cache` means when a request leaves it unset.
    cache_default: bool = True
    weaviate_url: str | None = None
    weaviate_grpc_port: int = Field(50051, ge=1, le=65535)
    weaviate_timeout_s: float = Field(2.0, gt=0, le=60)
    weaviate_api_key: SecretStr | None = None
    # Examples added at run time (AddExamples, `examples add`) are kept here across restarts.
    examples_dir: Path = Path("var/examples")
    # What examples may weigh (their stored JSON): each, per AddExamples call, and all added ones together.
    examples_max_example_bytes: int = Field(64 * 1024, ge=1024, le=16 * 1024 * 1024)
    examples_max_call_bytes: int = Field(8 * 1024 * 1024, ge=64 * 1024)
    examples_max_bytes: int = Field(64 * 1024 * 1024, ge=64 * 1024)

    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    # Comma-separated bearer tokens; empty means no auth.
    api_tokens: SecretStr | None = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, v: object) -> object:
        return v.upper() if isinstance(v, str) else v

    @field_validator(
        "anthropic_api_key",
        "api_tokens",
        "redis_url",
        "weaviate_url",
        "weaviate_api_key",
        "tls_cert_file",
        "tls_key_file",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("TLS_CERT_FILE and TLS_KEY_FILE must be set together")
        for path in (self.tls_cert_file, self.tls_key_file):
            if path is not None and not path.is_file():
                raise ValueError(f"{path} does not exist")
        return self

    @property
    def tokens(self) -> frozenset[str]:
        raw = self.api_tokens.get_secret_value() if self.api_tokens else ""
        return frozenset(t.strip() for t in raw.split(",") if t.strip())


def load_settings() -> Settings:
    """Settings from the environment, or one clear line naming what is wrong (SystemExit)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper() or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise SystemExit(f"invalid settings: {problems}") from None
