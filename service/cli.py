"""`test-data-agent`: serve, generate (in-process or against a server) and list schemas."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from service.cli_data import dataset_command
from service.cli_examples import examples_command
from service.cli_local import PROGRESS_FROM, generate_local, generate_parquet
from service.cli_local import progress as _progress
from service.cli_out import Out, OutFile
from service.cli_seed import add_parser as add_seed_parser
from service.cli_seed import seed_command
from tools.errors import DataError, InvalidRequest

ENGINE_HELP = (
    "where blocks are made: local worker processes (default), dask (a LocalCluster unless --scheduler),"
    " spark (local[workers] unless --scheduler); the same bytes on each"
)
CSV_SAFE_HELP = "CSV: leave cells that start with = + - @ as they are (no leading ' against formulas)"
AS_OF_HELP = "the instant the data describes, RFC 3339 (2026-06-30T12:00:00Z); default 2025-12-31T23:59:59Z"


def join_json_chunks(chunks: Iterable[str]) -> Iterator[str]:
    """Stream chunks are JSON arrays each; one document is one array."""
    yield "["
    first = True
    for chunk in chunks:
        inner = chunk.strip()[1:-1]
        if inner:
            yield inner if first else "," + inner
            first = False
    yield "]"


def _generate_local(args: argparse.Namespace, out: Out) -> None:
    generate_local(args, _request(args), out)


def _generate_remote(args: argparse.Namespace, out: Out) -> None:

    from protos.testdata.v1 import test_data_pb2 as pb
    from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc

    fmt = {"json": pb.JSON, "jsonl": pb.JSONL, "csv": pb.CSV, "sql": pb.SQL}[args.format]
    msg = pb.GenerateRequest(
        entity=args.entity, count=args.count, output_format=fmt, context=args.context, locale=args.locale,
        defect_triggering=args.defect_triggering, negative=args.negative, chunk_size=args.chunk_size,
        as_of=args.as_of, custom_schema=_custom_schema(args),
    )  # fmt: skip
    if args.seed is not None:
        msg.seed = args.seed
    if args.no_csv_safe:
        msg.csv_safe = False
    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    with _channel(args) as channel:
        stub = pb_grpc.TestDataServiceStub(channel)
        call = stub.GenerateDataStream(msg, metadata=metadata)
        done = 0

        def chunks() -> Iterator[str]:
            nonlocal done
            for chunk in call:
                done += args.chunk_size or 1000
                _progress(args.count, min(done, args.count), sys.stderr)
                yield chunk.data

        pieces = join_json_chunks(chunks()) if args.format == "json" else chunks()
        for piece in pieces:
            out.write(piece)
        seed = dict(call.initial_metadata()).get("x-seed", "?")
    sys.stderr.write(f"\nseed {seed}\n" if args.count >= PROGRESS_FROM else f"seed {seed}\n")


def _channel(args: argparse.Namespace) -> Any:
    import grpc

    if args.tls or args.tls_ca:
        roots = open(args.tls_ca, "rb").read() if args.tls_ca else None  # noqa: SIM115
        return grpc.secure_channel(args.server, grpc.ssl_channel_credentials(root_certificates=roots))
    if args.token:
        sys.stderr.write("warning: sending the token without TLS (add --tls or --tls-ca)\n")
    return grpc.insecure_channel(args.server)


def _request(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from agent.request import DataRequest

    return DataRequest(
        entity=args.entity, count=args.count, output_format=args.format, seed=args.seed, locale=args.locale,
        context=args.context, defect_triggering=args.defect_triggering, negative=args.negative,
        csv_safe=not args.no_csv_safe, as_of=args.as_of, custom_schema=_custom_schema(args),
    )  # fmt: skip


def _custom_schema(args: argparse.Namespace) -> str:
    if not args.schema:
        return ""
    from service.cli_schema import schema_arg

    return schema_arg(args.schema, args.entity, args.dialect)


def _schemas(args: argparse.Namespace) -> None:
    from tools.registry import default_registry

    for schema in default_registry().schemas(args.domain):
        fields = ", ".join(f.name for f in schema.fields)
        print(f"{schema.name} ({schema.domain}): {schema.description}\n    {fields}")


def _serve() -> None:
    from service.app import serve
    from service.logs import configure
    from service.settings import load_settings

    settings = load_settings()
    configure(settings.log_level, settings.log_format)
    asyncio.run(serve(settings))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="test-data-agent", description="Realistic, valid, reproducible test data."
    )
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve gRPC and HTTP on the configured ports")
    g = sub.add_parser("generate", help="generate rows of an entity")
    g.add_argument("entity")
    g.add_argument("--count", type=int, default=10)
    g.add_argument("--format", choices=["json", "jsonl", "csv", "sql", "parquet"], default="json")
    g.add_argument("--seed", type=int)
    g.add_argument("--locale", default="")
    g.add_argument("--as-of", default="", help=AS_OF_HELP)
    g.add_argument("--context", default="")
    g.add_argument(
        "--schema",
        metavar="FILE",
        help="your own schema: JSON (fields, JSON Schema, OpenAPI), .sql DDL, .proto or a descriptor set; "
        "ENTITY names the schema, table or message in it",
    )
    g.add_argument("--dialect", default="", choices=["", "postgres", "mysql", "sqlite"], help="--schema .sql")
    g.add_argument(
        "--report", metavar="FILE", help="write the rows' quality report here (JSON; first 100,000 rows)"
    )
    g.add_argument("--defect-triggering", action="store_true", help="at least half the rows are edge cases")
    g.add_argument("--negative", action="store_true", help="rows that each break exactly one rule")
    g.add_argument("--no-csv-safe", action="store_true", help=CSV_SAFE_HELP)
    g.add_argument("--out", help="write here instead of stdout")
    g.add_argument("--server", help="HOST:PORT of a running service (default: generate in this process)")
    g.add_argument("--token", default="", help="bearer token for --server")
    g.add_argument("--tls", action="store_true", help="TLS to --server, trusting the system's roots")
    g.add_argument("--tls-ca", default="", help="TLS to --server, trusting this CA certificate (PEM)")
    g.add_argument("--chunk-size", type=int, default=0)
    g.add_argument("--engine", choices=["local", "dask", "spark"], default="local", help=ENGINE_HELP)
    g.add_argument("--scheduler", help="--engine dask: the scheduler's address; spark: the master URL")
    g.add_argument("--partitions", type=int, default=1, help="--format parquet: files to split the rows into")
    g.add_argument(
        "--workers",
        type=int,
        help="worker processes for large requests (default: GENERATION_WORKERS, else usable CPUs; 0: none)",
    )
    s = sub.add_parser("schemas", help="list the entities")
    s.add_argument("--domain", default="")
    d = sub.add_parser("dataset", help="linked entities: customers with their carts, orders, payments, ...")
    d.add_argument(
        "entities", nargs="+", help="entity=count for roots (customer=100); a child's count caps it"
    )
    d.add_argument("--format", choices=["json", "jsonl", "csv", "sql"], default="sql")
    d.add_argument("--no-csv-safe", action="store_true", help=CSV_SAFE_HELP)
    d.add_argument("--seed", type=int)
    d.add_argument("--context", default="", help='e.g. "holiday rush with split shipments and some refunds"')
    d.add_argument("--out", help="write here instead of stdout")
    d.add_argument("--locale", default="", help="Faker locale such as de_DE (default en_US)")
    d.add_argument("--as-of", default="", help=AS_OF_HELP)
    d.add_argument("--engine", choices=["local", "dask", "spark"], default="local", help=ENGINE_HELP)
    d.add_argument("--scheduler", help="--engine dask: the scheduler's address; spark: the master URL")
    d.add_argument(
        "--workers", type=int, help="worker processes (default: GENERATION_WORKERS, else the CPUs)"
    )
    d.add_argument("--server", help="HOST:PORT of a running service: its agent plans from the context")
    d.add_argument("--no-cache", action="store_true", help="with --server: plan afresh, skip the plan cache")
    d.add_argument("--method", choices=["traditional", "llm", "rag", "hybrid"], help="with --server")
    d.add_argument("--token", default="", help="bearer token for --server")
    d.add_argument("--tls", action="store_true", help="TLS to --server, trusting the system's roots")
    d.add_argument("--tls-ca", default="", help="TLS to --server, trusting this CA certificate (PEM)")
    e = sub.add_parser("examples", help="add, search, list or delete stored examples")
    actions = e.add_subparsers(dest="action", required=True)
    where = argparse.ArgumentParser(add_help=False)  # where the store is: files here, or a server
    where.add_argument(
        "--dir",
        default=os.environ.get("EXAMPLES_DIR") or "var/examples",
        help="the embedded store's directory (default: EXAMPLES_DIR, else var/examples)",
    )
    remote = argparse.ArgumentParser(add_help=False, parents=[where])
    remote.add_argument("--server", help="HOST:PORT of a running service (else the files in --dir)")
    remote.add_argument("--token", default="", help="bearer token for --server")
    remote.add_argument("--tls", action="store_true", help="TLS to --server, trusting the system's roots")
    remote.add_argument("--tls-ca", default="", help="TLS to --server, trusting this CA certificate (PEM)")
    a = actions.add_parser("add", parents=[where], help="add the examples of a JSON or JSONL file")
    a.add_argument("target", metavar="FILE")
    q = actions.add_parser("search", parents=[where], help="the examples that best match a query")
    q.add_argument("target", metavar="QUERY")
    q.add_argument("--entity", default="")
    q.add_argument("--kind", default="", choices=["", "pattern", "defect", "production_sample"])
    q.add_argument("--k", type=int, default=5)
    ls = actions.add_parser("list", parents=[remote], help="stored examples in id order, with their ids")
    ls.add_argument("--entity", default="")
    ls.add_argument("--tag", default="")
    ls.add_argument("--limit", type=int, default=100, help="list at most this many (0: all)")
    rm = actions.add_parser("delete", parents=[remote], help="delete examples by id, or every one with a tag")
    rm.add_argument("ids", nargs="*", metavar="ID")
    rm.add_argument("--tag", default="")
    add_seed_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "serve":
        _serve()
        return 0
    if args.command == "schemas":
        _schemas(args)
        return 0
    if args.command == "examples":
        return examples_command(args)
    if args.command == "seed":
        try:
            return seed_command(args)
        except DataError as exc:
            sys.stderr.write(f"error: {exc.message}\n")
            return 2
    try:
        if args.command == "generate" and args.report and (args.server or args.format == "parquet"):
            what = "is made in this process, from JSON, JSONL, CSV or SQL rows"
            raise InvalidRequest("--report", what, "drop --server or --format parquet")
        if args.command == "generate" and args.format == "parquet":
            generate_parquet(args, _request(args))  # a directory of files, not one document
            return 0
        # Checked (and the temporary file made) before any work: a bad path fails at once.
        out_file = OutFile(args.out) if args.out is not None else None
        try:
            out: Out = out_file or sys.stdout
            if args.command == "dataset":
                dataset_command(args, out)
            else:
                (_generate_remote if args.server else _generate_local)(args, out)
        except BaseException:
            if out_file is not None:
                out_file.discard()  # an existing file stays as it was, no partial document
            raise
        if out_file is not None:
            out_file.commit()
    except DataError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        return 2
    except BrokenPipeError:
        # The reader went (`| head`): stop quietly, as cat does, with stdout pointed at nothing so
        # the interpreter's own flush at exit does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # a remote error: grpc.RpcError carries the server's message
        details = getattr(exc, "details", None)
        if callable(details):
            sys.stderr.write(f"error: {exc.code().name}: {details()}\n")  # type: ignore[attr-defined]
            return 2
        raise
    return 0
