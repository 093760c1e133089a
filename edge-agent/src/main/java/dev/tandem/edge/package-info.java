/**
 * The edge agent: {@link dev.tandem.edge.EdgeAgent} (the verticle), its {@link dev.tandem.edge.EdgeConfig}
 * and {@link dev.tandem.edge.EdgeMetrics}. Features live in sub-packages: {@code detect} (windows,
 * scoring, escalations, verdicts), {@code commissioning} (first model), {@code uplink} (the MQTT
 * connection and the outbox), {@code status} (retained device status).
 */
package dev.tandem.edge;
