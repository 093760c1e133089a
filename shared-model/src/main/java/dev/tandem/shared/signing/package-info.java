/**
 * Signed models: the hub signs every {@link dev.tandem.shared.signing.ModelManifest} with its
 * Ed25519 {@link dev.tandem.shared.signing.HubKey}; a device pins the hub's
 * {@link dev.tandem.shared.signing.TrustedKey} and runs only what
 * {@link dev.tandem.shared.signing.ManifestVerifier} accepts. JDK crypto only.
 */
package dev.tandem.shared.signing;
