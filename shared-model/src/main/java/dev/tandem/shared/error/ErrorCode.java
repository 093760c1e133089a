package dev.tandem.shared.error;

/**
 * Stable error codes for everything rejected at a boundary. The names are the codes: they are
 * logged, counted in metrics (tag {@code code}) and never renamed.
 */
public enum ErrorCode {
    /** The payload is not valid JSON or does not have the shape of the expected message. */
    MALFORMED_PAYLOAD,
    /** The payload is larger than the limit for its kind. */
    OVERSIZED_PAYLOAD,
    /** The message carries a schema version this build does not speak. */
    UNKNOWN_SCHEMA_VERSION,
    /** A field is missing or out of range. */
    INVALID_FIELD,
    /** A reading or score is NaN or infinite. */
    NON_FINITE_VALUE,
    /** The message names a device this component does not serve. */
    UNKNOWN_DEVICE,
    /** The payload names another site or device than the topic it arrived on. */
    DEVICE_MISMATCH,
    /** The topic does not follow the topic scheme. */
    UNEXPECTED_TOPIC,
    /** A reading has a different number of channels than the device's window. */
    CHANNEL_MISMATCH,
    /** A model artifact's bytes do not match its manifest's sha256 or size. */
    ARTIFACT_HASH_MISMATCH,
    /** A model artifact cannot be decoded or is internally inconsistent. */
    ARTIFACT_INVALID,
    /** The MQTT broker cannot be reached. */
    BROKER_UNAVAILABLE,
    /** The hub's database cannot be reached or refused a read or write (down, full, locked by another process). */
    STORE_UNAVAILABLE,
    /** A configuration value or command-line flag is invalid. */
    INVALID_CONFIG,
    /** Something failed that no input should be able to cause (a bug): logged with its stack trace. */
    INTERNAL_ERROR,
    /** A model assignment carries no signed manifest. */
    MODEL_UNSIGNED,
    /** A signature does not verify against the key it names (tampered, forged or truncated). */
    SIGNATURE_INVALID,
    /** A manifest or key announcement is signed by a key this component does not trust. */
    UNKNOWN_SIGNING_KEY,
    /** A signed manifest is for another site, device or device class than the one it reached. */
    MANIFEST_MISMATCH,
    /** A signed manifest's generation is not above the one the device has already accepted (a replay). */
    STALE_GENERATION,
    /** A request to the hub's REST API is not of the form its endpoint takes (the response names the field). */
    BAD_REQUEST,
    /** A request to the hub's REST API carries no operator token, or one the site does not know. */
    UNAUTHENTICATED,
    /** The operator's role does not allow the request (a read-only token on a write). */
    FORBIDDEN,
    /** The REST API has no such resource (an unknown path, alarm or other id; devices: {@link #UNKNOWN_DEVICE}). */
    NOT_FOUND,
    /** A device reports a rollout action state it cannot reach from the one it is in (e.g. ACTIVE before VERIFYING). */
    INVALID_STATE_TRANSITION,
    /** A candidate model scored worse than the active one in SHADOW (agreement with the large model's verdicts, or with the active model): not activated. */
    SHADOW_WORSE,
    /** After activation, the device's alarm or escalation rate left the band its signed manifest declares: the device went back to its previous model. */
    WATCHDOG_TRIPPED,
    /** An assignment names a model this device rolled back from and pinned away: refused until another model is assigned. */
    MODEL_PINNED,
    /** A rollout wave did not reach its success threshold within its timeout. */
    ROLLOUT_TIMEOUT,
    /** A model's signed size is above the device's artifact limit: refused before any byte of it is fetched. */
    ARTIFACT_TOO_LARGE,
    /** A device asked the hub for an artifact that is not assigned to it (or that the hub does not hold). */
    ARTIFACT_NOT_ASSIGNED,
    /** A device gave up fetching an artifact: its bounded number of requests went unanswered or refused. */
    DOWNLOAD_FAILED,
    /** The hub's REST API serves as many of this kind of request as it takes (e.g. live event streams); try later. */
    OVERLOADED
}
