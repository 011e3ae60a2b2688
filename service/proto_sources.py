"""Where a FileDescriptorSet comes from, for tools/imports/proto.py to read: .proto text compiled by
grpc_tools' protoc in a scratch folder holding only the files given (imports resolve among them and the
well-known types, never other files on the disk), or a running gRPC server's reflection service. Kept in
service/: they run a subprocess and open a network channel, which tools/ never does.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

from tools.errors import InvalidRequest

MAX_PROTO_FILES = 50
MAX_PROTO_CHARS = 1_000_000


def compile_protos(files: dict[str, str], timeout_s: float = 60.0) -> bytes:
    """A FileDescriptorSet of the files (name -> text), imports resolved among them and the
    well-known types only."""
    import grpc_tools

    if not files or len(files) > MAX_PROTO_FILES or sum(map(len, files.values())) > MAX_PROTO_CHARS:
        limit = f"needs 1 to {MAX_PROTO_FILES} files, {MAX_PROTO_CHARS:,} characters in all"
        raise InvalidRequest("proto", limit, "send fewer")
    include = Path(grpc_tools.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in files:
            if not re.fullmatch(r"[\w.-]+(/[\w.-]+)*\.proto", name) or ".." in name:
                raise InvalidRequest(
                    "proto", f"file name {name!r} is not a plain relative .proto path", "rename it"
                )
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(files[name], encoding="utf-8")
        out = root / "set.pb"
        protoc = [sys.executable, "-m", "grpc_tools.protoc", f"-I{root}", f"-I{include}"]
        args = [*protoc, f"--descriptor_set_out={out}", "--include_imports", *files]
        try:
            ran = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            slow = f"took longer than {timeout_s:g} s to compile"
            raise InvalidRequest("proto", slow, "send a smaller file") from None
        if ran.returncode != 0:
            errors = ran.stderr.strip().replace(str(root) + "/", "")
            raise InvalidRequest(
                "proto", f"does not compile: {errors[:600]}", "fix the .proto (protoc's message above)"
            )
        return out.read_bytes()


def reflected_set(address: str, symbol: str, timeout_s: float = 5.0) -> bytes:
    """A FileDescriptorSet read from a running gRPC server's reflection service (plaintext): the file
    that defines `symbol` (a message's full name) or, without one, every service's file, with the
    files they import."""
    import grpc
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    with grpc.insecure_channel(address) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=timeout_s)
        except grpc.FutureTimeoutError:
            gone = f"no gRPC server answers at {address}"
            raise InvalidRequest("--schema", gone, "start it, or check the address") from None
        db = ProtoReflectionDescriptorDatabase(channel)
        try:
            roots = [db.FindFileContainingSymbol(symbol)] if "." in symbol else [
                db.FindFileContainingSymbol(s) for s in db.get_services() if not s.startswith("grpc.")
            ]  # fmt: skip
        except (KeyError, grpc.RpcError) as exc:
            unknown = f"reflection at {address} does not know {symbol!r}: {exc}"
            raise InvalidRequest(
                "--schema", unknown, "name a message by its full name (package.Message)"
            ) from None
        out = descriptor_pb2.FileDescriptorSet()
        seen: set[str] = set()

        def add(file: descriptor_pb2.FileDescriptorProto) -> None:
            if file.name in seen:
                return
            seen.add(file.name)
            for dep in file.dependency:
                add(db.FindFileByName(dep))
            out.file.append(file)

        for root in roots:
            add(root)
    return out.SerializeToString()
