/** The agent's MQTT connection (reconnect with backoff, last wills) and its outbox of QoS 1 publishes. */
package dev.tandem.edge.uplink;
