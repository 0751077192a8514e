#!/bin/sh
# The postgres image lets every host in for ordinary connections only ("host all all all"), and "all" does not cover
# replication. The Account service's CDC relay connects for logical replication, from the host, so allow that too.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
