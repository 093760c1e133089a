/** How a device gets its first model: the commissioning samples, and the verification of model assignments. */
package dev.tandem.edge.commissioning;
