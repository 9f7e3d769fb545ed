/**
 * Budget of a test that starts other processes (a server bundle, tsx, git): on a busy 2-core
 * machine a server's start alone (PGlite's WASM, migrations) has taken 20 s and more, where it
 * takes 5 s on an idle one. A timeout, not a pace: nothing waits this long unless something is
 * wrong, so a generous one costs nothing on a healthy run and spares a newcomer a false failure.
 */
export const CHILD_PROCESS_TEST_TIMEOUT_MS = 180_000;
