/** Per-device detection: sliding window, tiny-model scoring, escalation to the hub, verdicts and timeouts. */
package dev.tandem.edge.detect;
