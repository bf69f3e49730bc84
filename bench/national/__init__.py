"""`make bench-national`: millions of synthetic children loaded with COPY by parallel workers.

Modules, one job each:
- rows: a chunk of the synthetic stream, sealed and keyed by the app's own `child_build`, as COPY rows;
- writer: one chunk and its progress row written in one transaction (so a killed run resumes exactly);
- indexes: secondary indexes and foreign keys set aside during the load, rebuilt and re-checked after it;
- load: the plan, the worker processes, the progress bar;
- report: sizes, peak memory and search latency on the loaded database;
- run: the command (`bench/national/run.py`), which builds its own `cp_*_national` database.
"""
