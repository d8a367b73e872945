#!/bin/sh
# usage: mpi_vvc.sh ARGS...  (environment: VVC_MPIEXEC, VVC_PROGRAM, VVC_RANKS (default 2))
# Runs VVC_PROGRAM ARGS... on VVC_RANKS MPI ranks, so that a test script written for one vvc process runs the same
# commands distributed.
exec "$VVC_MPIEXEC" --allow-run-as-root --oversubscribe -np "${VVC_RANKS:-2}" "$VVC_PROGRAM" "$@"
