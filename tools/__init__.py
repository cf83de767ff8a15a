"""Developer tools: the demo, benchmarks and the wheel check (run as ``python -m tools.NAME``)."""
