"""A .proto of our own (nested messages, repeated, enums, well-known types, wrappers, proto3 optional,
a map, a oneof, a recursive message) and its descriptor set as `generate --schema`: every row parses
back into the message through protobuf's JSON mapping; what is left out is said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor_pb2, json_format, message_factory

from service.cli import main
from service.proto_sources import compile_protos

COMMON = """syntax = "proto3";
package shop.v1;
enum Status { STATUS_UNSPECIFIED = 0; PLACED = 1; PAID = 2; SHIPPED = 3; }
"""
SHOP = """syntax = "proto3";
package shop.v1;
import "common.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

message Order {
  message Address { string street = 1; string city = 2; string zip = 3; }
  message Line { string sku = 1; uint32 qty = 2; double price = 3; }
  string order_id = 1;
  Status status = 2;
  google.protobuf.Timestamp placed_at = 3;
  repeated Line lines = 4;
  Address ship_to = 5;
  google.protobuf.StringValue note = 6;
  optional int32 priority = 7;
  map<string, string> labels = 8;
  oneof payment { string card_last_four = 9; string voucher = 10; }
  Order parent = 11;
  bytes signature = 12;
  string email = 13;
}
"""


def _write(tmp_path: Path) -> Path:
    (tmp_path / "common.proto").write_text(COMMON)
    (tmp_path / "shop.proto").write_text(SHOP)
    return tmp_path / "shop.proto"


def _order_class(tmp_path: Path) -> Any:
    data = compile_protos({"common.proto": COMMON, "shop.proto": SHOP})
    fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    return message_factory.GetMessages(list(fds.file))["shop.v1.Order"]


def _generate(args: list[str], out: Path) -> list[dict[str, Any]]:
    assert main(["generate", "Order", "--count", "40", "--seed", "3", "--out", str(out), *args]) == 0
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def test_rows_from_a_proto_parse_back_into_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _generate(["--schema", str(_write(tmp_path))], tmp_path / "out.json")
    err = capsys.readouterr().err
    assert "shop.v1.Order.labels: a map field; left out" in err
    assert "shop.v1.Order.voucher: a member of oneof payment; left out" in err
    assert "shop.v1.Order.parent: shop.v1.Order inside itself; left out at its second appearance" in err
    order = _order_class(tmp_path)
    for row in rows:
        msg = order()
        json_format.ParseDict({k: v for k, v in row.items() if not k.startswith("_")}, msg)
        assert msg.status in (1, 2, 3) and msg.placed_at.seconds > 0 and "@" in msg.email
        assert all(line.qty >= 0 for line in msg.lines)
    assert any(r["note"] is None for r in rows) and any(isinstance(r["note"], str) for r in rows)
    assert any(r["lines"] for r in rows) and all(set(r["ship_to"]) == {"street", "city", "zip"} for r in rows)


def test_a_descriptor_set_gives_the_same_rows(tmp_path: Path) -> None:
    proto_rows = _generate(["--schema", str(_write(tmp_path))], tmp_path / "a.json")
    desc = tmp_path / "shop.desc"
    desc.write_bytes(compile_protos({"common.proto": COMMON, "shop.proto": SHOP}))
    assert _generate(["--schema", str(desc)], tmp_path / "b.json") == proto_rows


def test_a_proto_that_does_not_compile_or_names_no_message_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.proto"
    bad.write_text('syntax = "proto3";\nimport "elsewhere.proto";\nmessage A { Missing m = 1; }\n')
    assert main(["generate", "A", "--schema", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "does not compile" in err and "elsewhere.proto" in err and str(tmp_path) not in err
    (tmp_path / "ok").mkdir()
    path = _write(tmp_path / "ok")  # a folder of its own: every .proto beside the file is sent
    assert main(["generate", "Invoice", "--schema", str(path)]) == 2
    err = capsys.readouterr().err
    assert "names no single message ('Invoice'); use one of ['shop.v1.Order', 'shop.v1.Order.Address'" in err


@pytest.mark.asyncio
async def test_a_running_servers_reflection_is_a_schema_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Our own service has reflection on: its Example message, read from it, generates rows that parse
    # back as testdata.v1.Example.
    import asyncio

    from protos.testdata.v1 import test_data_pb2 as pb
    from tests.service.conftest import live_service, make_settings

    async for live in live_service(make_settings()):
        target = f"grpc://127.0.0.1:{live.service.grpc_port}"
        out = tmp_path / "examples.json"
        args = ["generate", "testdata.v1.Example", "--schema", target, "--count", "20", "--out", str(out)]
        assert await asyncio.to_thread(main, args) == 0
        for row in json.loads(out.read_text()):
            json_format.ParseDict({k: v for k, v in row.items() if not k.startswith("_")}, pb.Example())
        assert await asyncio.to_thread(main, ["generate", "testdata.v1.Nope", "--schema", target]) == 2
        assert "does not know 'testdata.v1.Nope'" in capsys.readouterr().err
    assert main(["generate", "x.Y", "--schema", "grpc://127.0.0.1:1"]) == 2
    assert "no gRPC server answers at 127.0.0.1:1" in capsys.readouterr().err
