/** Retrying a connection: the reconnect {@link dev.tandem.shared.retry.Backoff} shared by the edge agent and the hub. */
package dev.tandem.shared.retry;
