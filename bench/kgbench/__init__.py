"""The parts of bench/run, keygate's benchmark (bench/README.md)."""
