"""The CLI's `examples` commands: add, search, list and delete, on the embedded store's files in --dir,
or (list and delete) through a running service with --server, whatever store it uses."""

from __future__ import annotations

import argparse
import asyncio
import sys

from tools.errors import DataError


def _read_examples(path: str) -> list[dict]:
    """A JSON array (or one object) or JSON Lines of examples."""
    import json

    text = open(path, encoding="utf-8").read().strip()  # noqa: SIM115
    try:
        if text.startswith("["):
            return list(json.loads(text))
        if text.startswith("{") and "\n" not in text:
            return [json.loads(text)]
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except RecursionError:
        raise DataError(path, "is nested too deeply to read", "flatten the records") from None
    except ValueError as exc:
        raise DataError(path, f"is not JSON or JSON Lines ({str(exc)[:100]})", "fix the file") from None


def examples_command(args: argparse.Namespace) -> int:
    """`examples add|search|list|delete`: on the embedded store's files in --dir, or with --server (list
    and delete) on whatever store that service uses."""
    try:
        if getattr(args, "server", None):
            return _examples_remote(args)
        return _examples_local(args)
    except DataError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        return 2


def _examples_local(args: argparse.Namespace) -> int:
    from pathlib import Path

    from retrieval.embedded_store import EmbeddedStore
    from retrieval.examples import StoreFull

    if args.action == "delete":
        _check_delete(args)
    store = EmbeddedStore(Path(args.dir))
    for problem in store.problems:
        sys.stderr.write(f"warning: {problem}\n")
    if args.action == "search":
        hits = asyncio.run(store.search(args.target, entity=args.entity, kind=args.kind, k=args.k))
        for hit in hits:
            ex = hit.example
            print(f"{hit.score:6.2f}  {ex.id}  {ex.entity}/{ex.kind}/{ex.scenario}: {ex.description}")
        return 0
    if args.action == "list":
        shown, more = 0, True
        after = ""
        while more and (not args.limit or shown < args.limit):
            want = min(1000, args.limit - shown) if args.limit else 1000
            page = asyncio.run(store.page(entity=args.entity, tag=args.tag, limit=want, after=after))
            for ex in page.examples:
                _print_example(ex.id, ex.entity, ex.kind, ex.scenario, list(ex.tags), ex.description)
            shown, after, more = shown + len(page.examples), page.after, bool(page.after)
        return _listed(shown, more)
    if args.action == "delete":
        deleted = asyncio.run(store.delete(list(dict.fromkeys(args.ids)), tag=args.tag))
        print(f"deleted {deleted} (store: {args.dir})")
        return 0
    good, problems = _checked(_read_examples(args.target))
    try:
        asyncio.run(store.add(good, max_bytes=_limit("examples_max_bytes")))
    except StoreFull as full:
        raise DataError(
            "examples",
            f"{args.dir} holds {full.stored:,} bytes of examples; these would add {full.adding:,}, past its "
            f"limit of {full.limit:,} (EXAMPLES_MAX_BYTES)",
            "delete examples you no longer need (`examples list`, `examples delete`), or raise "
            "EXAMPLES_MAX_BYTES",
        ) from None
    for p in problems:
        sys.stderr.write(f"rejected {p}\n")
    print(f"added {len(good)}, rejected {len(problems)} (store: {args.dir})")
    return 0 if not problems else 1


def _checked(raw_examples: list[dict]) -> tuple[list, list[str]]:
    """The examples worth storing, and one reason per one that is not (as AddExamples decides)."""
    from pydantic import ValidationError

    from retrieval.examples import Example, stored_bytes
    from retrieval.validate_examples import check_example
    from tools.registry import default_registry

    good, problems = [], []
    most = _limit("examples_max_example_bytes")
    for i, raw in enumerate(raw_examples):
        try:
            example = Example.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            problems.append(f"[{i}] {'.'.join(str(p) for p in err['loc'])}: {err['msg']}")
            continue
        size = stored_bytes(example)
        reasons = (
            [f"weighs {size:,} bytes; at most {most:,} per example (EXAMPLES_MAX_EXAMPLE_BYTES)"]
            if size > most
            else check_example(example, default_registry())
        )
        if reasons:
            problems.append(f"[{i}] " + "; ".join(reasons))
        else:
            good.append(example)
    return good, problems


def _limit(name: str) -> int:
    """A limit the service would apply (its environment variable, else the service's default)."""
    import os

    from service.settings import Settings

    raw = os.environ.get(name.upper(), "").strip()
    if not raw:
        return int(Settings.model_fields[name].default)
    if not raw.isdigit():
        raise DataError(name.upper(), f"{raw[:40]!r} is not a whole number of bytes", "fix the variable")
    return int(raw)


def _check_delete(args: argparse.Namespace) -> None:
    if not args.ids and not args.tag:
        raise DataError("delete", "no ids and no --tag given", "name ids (from `examples list`) or --tag T")


def _examples_remote(args: argparse.Namespace) -> int:
    if args.action not in ("list", "delete"):
        raise DataError("--server", f"`examples {args.action}` works on --dir only", "drop --server")
    if args.action == "delete":
        _check_delete(args)
    from protos.testdata.v1 import test_data_pb2 as pb
    from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
    from service.cli import _channel

    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    with _channel(args) as channel:
        stub = pb_grpc.TestDataServiceStub(channel)
        if args.action == "delete":
            ids, deleted = list(dict.fromkeys(args.ids)), 0
            for start in range(0, max(len(ids), 1), 1000):  # the service takes 1000 ids a call
                chunk = ids[start : start + 1000]
                tag = args.tag if start == 0 else ""
                deleted += stub.DeleteExamples(
                    pb.DeleteExamplesRequest(ids=chunk, tag=tag), metadata=metadata
                ).deleted
            print(f"deleted {deleted} (server: {args.server})")
            return 0
        shown, token, more = 0, "", True
        while more and (not args.limit or shown < args.limit):
            want = min(1000, args.limit - shown) if args.limit else 1000
            request = pb.ListExamplesRequest(entity=args.entity, tag=args.tag, limit=want, page_token=token)
            page = stub.ListExamples(request, metadata=metadata)
            for ex in page.examples:
                _print_example(ex.id, ex.entity, ex.kind, ex.scenario, list(ex.tags), ex.description)
            shown, token, more = shown + len(page.examples), page.next_page_token, bool(page.next_page_token)
    return _listed(shown, more)


def _print_example(ex_id: str, entity: str, kind: str, scenario: str, tags: list[str], text: str) -> None:
    label = f"{entity}/{kind}/{scenario}" if scenario else f"{entity}/{kind}"
    tagged = f"  [{', '.join(tags)}]" if tags else ""
    short = text if len(text) <= 80 else text[:77] + "..."
    print(f"{ex_id}  {label}{tagged}  {short}")


def _listed(shown: int, more: bool) -> int:
    sys.stderr.write(f"{shown} examples" + ("; more follow (raise --limit, 0 for all)\n" if more else "\n"))
    return 0
