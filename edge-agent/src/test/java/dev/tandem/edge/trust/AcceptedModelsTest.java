package dev.tandem.edge.trust;

import dev.tandem.shared.testing.TestKeys;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.window.Feature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AcceptedModelsTest {
    private static ModelAssignment assignment(String version) {
        TinyModel m = new TinyModel(TinyModel.FORMAT, version, 1, 4, List.of(Feature.LAST), new double[]{0},
                new double[]{1}, new double[][]{{1}}, new double[]{1}, 1, 1, 1, 0, new EscalationPolicy(1, 2, 6));
        return TestKeys.assignment("s1", "pump-1", m, 16);
    }

    @Test
    void aVersion1File_isStillRead_withoutPinOrWatch(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pump-1.accepted.json"),
                "{\"v\":1,\"device\":\"pump-1\",\"generation\":7,\"version\":\"tiny-abc\"}", StandardCharsets.UTF_8);
        AcceptedModels a = new AcceptedModels(dir);
        AcceptedModels.Accepted read = a.load("pump-1").orElseThrow();
        assertEquals(7, read.generation());
        assertEquals("tiny-abc", read.version());
        assertTrue(a.pinned("pump-1").isEmpty());
        assertEquals(0L, read.watchUntil());
    }

    @Test
    void keptModels_rotateOnANewModel_notOnTheSameAgain_andSwapOnARevert(@TempDir Path dir) {
        AcceptedModels a = new AcceptedModels(dir);
        ModelAssignment v1 = assignment("v1");
        ModelAssignment v2 = assignment("v2");
        a.keep("pump-1", v1);
        a.keep("pump-1", v2);
        a.keep("pump-1", v2); // a restart of the same model: v1 stays the previous
        assertEquals(v2.artifact(), a.kept("pump-1").orElseThrow().artifact());
        assertEquals(v1.artifact(), a.keptPrevious("pump-1").orElseThrow().artifact());
        a.revert("pump-1");
        assertEquals(v1.artifact(), a.kept("pump-1").orElseThrow().artifact());
        assertEquals(v2.artifact(), a.keptPrevious("pump-1").orElseThrow().artifact());

        a.accept("pump-1", 9, "v1", "v2", 0);
        assertEquals("v2", new AcceptedModels(dir).pinned("pump-1").orElseThrow(), "the pin is on disk");
        a.accept("pump-1", 10, "v1");
        assertEquals("v2", a.pinned("pump-1").orElseThrow(), "kept by a new generation");
    }
}
