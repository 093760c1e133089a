/**
 * The edge agent: {@link dev.tandem.edge.EdgeAgent} (the verticle), its {@link dev.tandem.edge.EdgeConfig}
 * and {@link dev.tandem.edge.EdgeMetrics}; per device an {@code EdgeDevice} (detector, commissioning,
 * model version, state), the {@code InboundRouter} that hands each message to its device, and
 * {@code ModelAssignments} (model updates and their {@code model/state} answers). Features live in
 * sub-packages: {@code detect} (windows, scoring, escalations, verdicts, timers), {@code commissioning}
 * (first model), {@code uplink} (the MQTT connection and the outbox), {@code status} (retained device status).
 */
package dev.tandem.edge;
