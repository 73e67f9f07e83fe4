"""Benchmark harness: GraphQL operations beside plain Starlette twins, on a real uvicorn."""
