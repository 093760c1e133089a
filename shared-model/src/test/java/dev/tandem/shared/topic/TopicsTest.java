package dev.tandem.shared.topic;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TopicsTest {
    @Test
    void topics_followTheScheme_andParseBack() {
        assertEquals("tandem/v1/plant-a/press-1/readings", Topics.of("plant-a", "press-1", Topics.Kind.READINGS));
        assertEquals("tandem/v1/plant-a/press-1/model/state", Topics.of("plant-a", "press-1", Topics.Kind.MODEL_STATE));
        assertEquals("$share/hub/tandem/v1/+/+/escalations", Topics.shared(Topics.Kind.ESCALATIONS));
        for (Topics.Kind k : Topics.Kind.values()) {
            Topics.DeviceTopic t = Topics.parse(Topics.of("s", "d", k));
            assertEquals(new Topics.DeviceTopic("s", "d", k), t);
        }
    }

    @Test
    void parse_foreignTopics_isUnexpectedTopic() {
        for (String bad : new String[]{"other/x", "tandem/v1/s/d/nope", "tandem/v1/s/readings", "tandem/v2/s/d/readings", null}) {
            assertEquals(ErrorCode.UNEXPECTED_TOPIC, assertThrows(TandemException.class, () -> Topics.parse(bad)).code());
        }
    }

    @Test
    void ids_thatCouldEscapeAPathOrMatchAWildcard_areRefused() {
        for (String bad : new String[]{"..", ".", ".hidden", "-x", "a/b", "+", "#", "a b", "x".repeat(65), ""}) {
            assertEquals(ErrorCode.INVALID_FIELD,
                    assertThrows(TandemException.class, () -> Topics.of(bad, "d", Topics.Kind.READINGS)).code(), bad);
            assertEquals(ErrorCode.UNEXPECTED_TOPIC,
                    assertThrows(TandemException.class, () -> Topics.parse("tandem/v1/" + bad + "/d/readings")).code(), bad);
        }
        assertEquals("tandem/v1/plant.2/m_1-a/readings", Topics.of("plant.2", "m_1-a", Topics.Kind.READINGS));
    }

    @Test
    void brokerAddress_parsesUrls_andRefusesNonsense() {
        assertEquals(new BrokerAddress("127.0.0.1", 1884), BrokerAddress.parse("tcp://127.0.0.1:1884"));
        assertEquals(1883, BrokerAddress.parse("mqtt://localhost").port());
        assertEquals(new BrokerAddress("broker.plant", 8883, true), BrokerAddress.parse("mqtts://broker.plant"));
        assertEquals("ssl://127.0.0.1:9883", BrokerAddress.parse("ssl://127.0.0.1:9883").url());
        assertEquals("tcp://127.0.0.1:1883", BrokerAddress.parse("mqtt://127.0.0.1").url());
        for (String bad : new String[]{"127.0.0.1:1883", "http://x:1", "tcp://:1", "", null, "tcp://x:1/path",
                "mqtts://x:70000"}) {
            assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class, () -> BrokerAddress.parse(bad)).code());
        }
    }
}
