package dev.tandem.sim.factory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reads an instant written as ISO-8601 ({@code 2025-01-01T00:07:00Z}) or as epoch milliseconds. */
public final class IsoInstant extends JsonDeserializer<Instant> {
    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            return Instant.ofEpochMilli(p.getLongValue());
        }
        String s = p.getValueAsString();
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException | NullPointerException e) {
            throw InvalidFormatException.from(p, "not an ISO-8601 instant or epoch milliseconds: '" + s + "'", s, Instant.class);
        }
    }
}
