package io.sluice.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process-wide settings a node applies before any library that reads them is loaded.
 */
final class NodeRuntime
{
    private NodeRuntime()
    {
    }

    /**
     * Chronicle writes scratch files under {@code project.build.directory} and JNA under {@code jna.tmpdir}; point
     * both into the node's data directory so a node writes nowhere else.
     *
     * @param dataDir of the node.
     * @throws IOException if the directory cannot be created.
     */
    static void keepScratchFilesIn(final Path dataDir) throws IOException
    {
        final Path scratch = dataDir.resolve("tmp");
        Files.createDirectories(scratch);
        System.setProperty("project.build.directory", scratch.toString());
        System.setProperty("jna.tmpdir", scratch.resolve("jna").toString());
    }
}
