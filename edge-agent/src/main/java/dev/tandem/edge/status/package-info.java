/** Retained device status: periodic, on state changes, OFFLINE through the last wills and on a clean stop. */
package dev.tandem.edge.status;
