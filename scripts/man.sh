#!/usr/bin/env bash
# The man page, made from the command line's own help (so it cannot drift from it):
# schemac --help and each command's --help, in roff, on standard output.
#   scripts/man.sh SCHEMAC > schemac.1
set -euo pipefail
schemac=$1
version=$("$schemac" --version | awk '{print $2}')

# Help text as a roff literal block: backslashes doubled, a leading '.' or "'" made
# literal with the zero-width \&.
literal() {
  printf '.nf\n'
  sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
  printf '.fi\n'
}

cat <<ROFF
.TH SCHEMAC 1 "" "schemac $version" "User Commands"
.SH NAME
schemac \\- a schema-as-code compiler for PostgreSQL
.SH SYNOPSIS
.B schemac
[\\fB\\-\\-color\\fR \\fIWHEN\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]
.SH DESCRIPTION
schemac reads a directory of .schema files (the desired state of a database),
checks it like a compiler, plans each migration as forward, rollback and verify SQL,
applies migrations, reads existing databases and generates C++ code.
.SH OPTIONS
ROFF
"$schemac" --help | literal
printf '.SH COMMANDS\n'
for command in check fmt sql plan lint init "gen cpp" lsp "migrate up" "migrate down" "migrate status" \
  "migrate baseline" "migrate purge" pull diff; do
  printf '.SS "schemac %s"\n' "$command"
  # shellcheck disable=SC2086 # the command's words are separate arguments
  "$schemac" $command --help | literal
done
cat <<'ROFF'
.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
the input is wrong: errors in the schema, lint errors, drift, a migration that fails
.TP
.B 2
usage or environment: a bad option, a missing directory, a database that cannot be reached
.SH ENVIRONMENT
.TP
.B NO_COLOR
set and not empty: no colour in diagnostics (unless \fB\-\-color always\fR)
.TP
.B PGHOST, PGDATABASE, ...
the libpq variables, for commands that connect to a database without \fB\-\-db\fR
.SH SEE ALSO
.BR psql (1),
.BR pg_dump (1)
ROFF
