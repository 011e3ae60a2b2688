"""`make bench`: every figure as a ratio against a baseline measured in the same run."""

from __future__ import annotations

import argparse

from bench import engine_bench, memory_bench


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--rows", type=int, default=20_000, help="carts per throughput run")
    parser.add_argument("--million", type=int, default=1_000_000, help="carts for the memory run")
    args = parser.parse_args()

    r = engine_bench.run(args.rows)
    engine, ceiling, faker = r["engine"], r["plain_random"], r["faker"]
    print("engine throughput (carts/s, validated and JSON-encoded, median of 5)")
    print(f"  engine              {engine:>10,.0f}")
    print(
        f"  plain random        {ceiling:>10,.0f}   engine/ceiling = {engine / ceiling:.2f}  (target >= 0.5)"
    )
    print(f"  idiomatic Faker     {faker:>10,.0f}   engine/faker   = {engine / faker:.1f}  (target >= 8)")
    small = memory_bench.peak_rss_mib(10_000)
    big = memory_bench.peak_rss_mib(args.million)
    print(
        f"memory: peak RSS for {args.million:,} carts to /dev/null = {big:.0f} MiB"
        f" (10,000 carts: {small:.0f} MiB; target < 150 MiB)"
    )


if __name__ == "__main__":
    main()
