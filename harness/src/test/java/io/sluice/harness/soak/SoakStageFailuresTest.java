package io.sluice.harness.soak;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoakStageFailuresTest
{
    @Test
    void shouldReportEveryFailedStageInAnyNodeLogAndNothingElse(@TempDir final Path logDir) throws Exception
    {
        Files.writeString(logDir.resolve("node1-1.log"), String.join("\n",
            "2026-11-22T11:17:09.295Z level=INFO thread=sluice-admin logger=AdminServer admin connected",
            "2026-11-22T11:17:09.304Z level=ERROR thread=sequencer logger=PrimaryNode stage failed " +
                "reason=\"java.lang.IllegalStateException: view capacity 3 exceeded\"",
            "java.lang.IllegalStateException: view capacity 3 exceeded",
            "\tat io.sluice.durability.CursorView.add(CursorView.java:108)", ""));
        Files.writeString(logDir.resolve("node2-1.log"),
            "2026-11-22T11:21:26.656Z level=ERROR thread=replica logger=ReplicaAgent replica node 1 refused by " +
            "the primary: AHEAD_OF_PRIMARY\n");
        Files.writeString(logDir.resolve("node1-1.out"), "stage failed (stdout copy, not a log)\n");

        final List<String> failures = Soak.stageFailures(logDir);

        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("node1-1.log: ") && failures.get(0).contains("view capacity 3"),
            failures.get(0));
    }
}
