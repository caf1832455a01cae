#!/usr/bin/env bash
# Benchmark: the synthetic province at full scale — generate it, then load it into PostgreSQL.
#
#   bench/province.sh [OUT_DIR] [PG_DATABASE]
#
# Times `lookthrough synth --scale province` (wall time and peak resident memory, from GNU time)
# and `lookthrough import DIR` into a fresh PostgreSQL database on 127.0.0.1 (trust auth), then
# prints the row counts. Figures go to bench/RESULTS.md by hand, with the machine and date.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/work/data/province-1}
db=${2:-lt_province}
bin=.venv/bin

echo "== synth --scale province → $out"
rm -rf "$out"
/usr/bin/time -v "$bin/lookthrough" synth --scale province --seed 1 --out "$out" \
  2> >(grep -E "Elapsed|Maximum resident" >&2) >/dev/null

echo "== import into PostgreSQL database $db"
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db"
export LOOKTHROUGH_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$db"
"$bin/lookthrough" db upgrade
/usr/bin/time -v "$bin/lookthrough" import "$out" --json \
  2> >(grep -E "Elapsed|Maximum resident" >&2)
psql -h 127.0.0.1 -U postgres -d "$db" -Atc \
  "SELECT 'entities', count(*) FROM entity UNION ALL SELECT 'records', count(*) FROM record
   UNION ALL SELECT 'size', pg_size_pretty(pg_database_size('$db'))"
