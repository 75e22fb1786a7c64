package io.sluice.node.admin;

import java.util.List;

/**
 * Executes one admin command line for an operator. Implemented by the node that owns the state the command changes.
 */
@FunctionalInterface
public interface AdminCommandHandler
{
    /**
     * @param command upper-cased first word, e.g. {@code DURABILITY}.
     * @param args    the rest of the line, trimmed; empty if none.
     * @return the answer lines; the first begins with {@code OK} or {@code ERR} for commands that change state.
     */
    List<String> execute(String command, String args);
}
