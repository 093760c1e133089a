package dev.tandem.sim.scenario;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;

import java.io.IOException;
import java.util.Objects;

/**
 * A value of a scenario file with the line and column it started at, so that checks made after
 * parsing (overlaps, device counts) can still name the line.
 */
@JsonDeserialize(using = Located.Deserializer.class)
public record Located<T>(int line, int column, T value) {
    public Located {
        Objects.requireNonNull(value, "value");
    }

    /** Reads the wrapped type where the token starts. */
    static final class Deserializer extends JsonDeserializer<Located<?>> implements ContextualDeserializer {
        private final JavaType valueType;

        Deserializer() {
            this(null);
        }

        private Deserializer(JavaType valueType) {
            this.valueType = valueType;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            JavaType wrapper = ctxt.getContextualType();
            if ((wrapper == null || wrapper.getRawClass() != Located.class) && property != null) {
                wrapper = property.getType().getContentType();
            }
            return new Deserializer(wrapper.containedType(0));
        }

        @Override
        public Located<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            var where = p.currentTokenLocation();
            Object v = ctxt.readValue(p, valueType);
            return new Located<>(where.getLineNr(), where.getColumnNr(), v);
        }
    }
}
