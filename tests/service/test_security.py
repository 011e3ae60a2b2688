"""Bearer tokens and TLS on a real server."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
from service.app import resources, start_service
from tests.service.conftest import Live, live_service, make_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
TOKEN = "s3cret-token-for-tests"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def guarded() -> AsyncIterator[Live]:
    async for item in live_service(make_settings(api_tokens=f"other,{TOKEN}")):
        yield item


async def test_missing_or_wrong_token_is_unauthenticated(guarded: Live) -> None:
    request = pb.GenerateRequest(entity="cart", count=1)
    for metadata in ([], [("authorization", "Bearer wrong")], [("authorization", TOKEN)]):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await guarded.stub.GenerateData(request, metadata=metadata)
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert TOKEN not in (info.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _chunk in guarded.stub.GenerateDataStream(request):
            pass
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_right_token_is_served_and_health_stays_open(guarded: Live) -> None:
    ok = await guarded.stub.GenerateData(
        pb.GenerateRequest(entity="cart", count=1), metadata=[("authorization", f"Bearer {TOKEN}")]
    )
    assert ok.success
    assert (await guarded.stub.HealthCheck(pb.HealthCheckRequest())).status == "healthy"
    reply = await health_pb2_grpc.HealthStub(guarded.channel).Check(health_pb2.HealthCheckRequest())
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


async def test_tls(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    settings = make_settings(tls_cert_file=cert, tls_key_file=key)
    async with resources(settings) as res:
        service = await start_service(settings, res)
        creds = grpc.ssl_channel_credentials(root_certificates=cert.read_bytes())
        async with grpc.aio.secure_channel(f"localhost:{service.grpc_port}", creds) as channel:
            ok = await pb_grpc.TestDataServiceStub(channel).GenerateData(
                pb.GenerateRequest(entity="cart", count=2)
            )
            assert ok.record_count == 2
        async with grpc.aio.insecure_channel(f"localhost:{service.grpc_port}") as plain:
            with pytest.raises(grpc.aio.AioRpcError):
                await pb_grpc.TestDataServiceStub(plain).GenerateData(
                    pb.GenerateRequest(entity="cart"), timeout=5
                )
        await service.stop()
