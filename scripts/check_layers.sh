#!/usr/bin/env bash
# Checks that includes follow the layers (STYLE.md, docs/architecture.md):
#   app -> {http, api, jobs} -> domain -> storage (interface)
# with common/ and config/ usable by all, events/ by the domain and above,
# net/ and sandbox/ by app only (sandbox implements capa's PythonRunner, so it
# may include capa), and the storage backends (sqlite_database.h,
# postgres_database.h) by storage itself only. Each module under src/ may
# include "larch/<module>/..." only from the modules its row below names;
# test files (a name with "test" in it: foo_test.cc, test_fixture.h) may also
# include the test support ("larch/testing/").
# Within the domain, a module may include only the modules before it in
# domain_order below.
# Prints file:line for every include against the order and exits 1.
# The CMake DEPS must agree: a module lists only what its row allows.
set -euo pipefail
cd "$(dirname "$0")/.."

domain="accounts bookmarks builtin_blocks capa certificates completion config_models content_gate course_view courses enrollment grades grading instructor_tasks keys learner_home milestones oauth olx problems search special_exams student_state"
# Domain modules may use each other in this one order only: each may include
# the modules before it, never one after it, so the CMake graph has no cycle
# and a table's owner (accounts for users, courses for courses) sits below
# the modules that call its store.
domain_order="keys olx capa grading config_models accounts oauth courses enrollment milestones special_exams search content_gate course_view student_state completion bookmarks problems grades certificates builtin_blocks learner_home instructor_tasks"
declare -A allowed=(
  [common]="common"
  [config]="common config"
  [storage]="common config storage"
  [events]="common config events"
  [domain]="common config storage events $domain"
  [jobs]="common config storage events $domain jobs"
  [net]="common config net"
  [sandbox]="common config capa sandbox"
  [http]="common config storage events $domain http"
  [api]="common config storage events $domain http api"
  [app]="common config storage events $domain jobs net sandbox http api"
)

# A source directory and its row in the table.
dirs=()
for module in common config storage events jobs net sandbox http api app; do
  dirs+=("src/$module:$module")
done
for module in $domain; do
  dirs+=("src/domain/$module:domain")
done

# Position of a domain module in domain_order.
domain_rank() {
  local i=0 m
  for m in $domain_order; do
    [ "$m" = "$1" ] && { echo "$i"; return; }
    i=$((i + 1))
  done
  echo "missing domain_order entry for $1" >&2
  exit 1
}

failures=0
for entry in "${dirs[@]}"; do
  dir="${entry%%:*}"
  row="${entry##*:}"
  [ -d "$dir" ] || continue
  ok=" ${allowed[$row]} "
  # file:line:include for every larch include in the module.
  while IFS= read -r hit; do
    file="${hit%%:*}"
    rest="${hit#*:}"
    line="${rest%%:*}"
    text="${rest#*:}"
    target="${text#*\"larch/}"
    target="${target%%/*}"
    header="${text#*\"larch/}"
    header="${header%%\"*}"
    bad=""
    if [[ "$target" == testing ]]; then
      [[ "$(basename "$file")" == *test* ]] || bad="test support outside a test"
    elif [[ "$ok" != *" $target "* ]]; then
      bad="$row may not include $target"
    elif [[ "$header" =~ ^storage/(sqlite|postgres)_database\.h$ && "$row" != storage && "$row" != app ]]; then
      bad="only storage and app may include a storage backend"
    elif [[ "$row" == domain && " $domain " == *" $target "* ]] &&
      [ "$(domain_rank "$target")" -gt "$(domain_rank "$(basename "$dir")")" ]; then
      bad="domain module $(basename "$dir") may not include $target, which comes after it in domain_order"
    fi
    if [ -n "$bad" ]; then
      echo "$file:$line: $bad: $text"
      failures=$((failures + 1))
    fi
  done < <(grep -rnE --include='*.cc' --include='*.h' '^[[:space:]]*#[[:space:]]*include[[:space:]]+"larch/' "$dir" || true)
done

if [ "$failures" -gt 0 ]; then
  echo "check_layers: $failures include(s) against the layer order"
  exit 1
fi
echo "check_layers: includes follow the layer order"
