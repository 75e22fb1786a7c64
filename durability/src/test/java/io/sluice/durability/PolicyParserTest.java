package io.sluice.durability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyParserTest
{
    @Test
    void shouldParseConjunctionOfClauses()
    {
        final Policy policy = Policy.parse("persisted>=1 && in_memory>=2");
        assertEquals(
            List.of(new Clause(Level.PERSISTED, 1), new Clause(Level.IN_MEMORY, 2)), policy.clauses());
        assertEquals("persisted>=1 && in_memory>=2", policy.expression());
        assertNull(policy.mode(), "parse gives a custom policy");
        assertEquals(DurabilityMode.CUSTOM_CODE, policy.modeCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "persisted>=1&&in_memory>=2",
        "  persisted >= 1   &&   in_memory >= 2  ",
        "\tpersisted>=1\t&&\nin_memory>=2\n",
        "in_memory>=2 && persisted>=1",
        "PERSISTED>=1 && In_Memory>=2" })
    void shouldTolerateWhitespaceAndClauseOrder(final String expression)
    {
        assertEquals("persisted>=1 && in_memory>=2", Policy.parse(expression).expression());
    }

    @Test
    void shouldKeepLargestCountPerLevel()
    {
        final Policy policy = Policy.parse("persisted>=1 && persisted>=2 && in_memory>=1");
        assertEquals("persisted>=2 && in_memory>=1", policy.expression());
        assertEquals(2, policy.requiredNodes());
    }

    @Test
    void shouldRejectEmptyPolicy()
    {
        assertMessage("", "empty policy");
        assertMessage("   ", "empty policy");
        assertMessage(null, "empty policy");
        final InvalidPolicyException ex = assertThrows(InvalidPolicyException.class, () -> Policy.of(List.of()));
        assertTrue(ex.getMessage().contains("empty policy"), ex.getMessage());
    }

    @Test
    void shouldRejectCountZero()
    {
        assertMessage("persisted>=0", "count 0 out of range 1..3 in clause 'persisted>=0'");
    }

    @Test
    void shouldRejectCountAboveThree()
    {
        assertMessage("in_memory>=4", "count 4 out of range 1..3 in clause 'in_memory>=4'");
        assertMessage("persisted>=99999999999999", "out of range 1..3");
        assertThrows(InvalidPolicyException.class, () -> new Clause(Level.PERSISTED, 4));
    }

    @Test
    void shouldRejectUnknownLevel()
    {
        assertMessage("disk>=1", "unknown level 'disk' (expected in_memory or persisted)");
        assertMessage("persisted>=1 && memory>=2", "unknown level 'memory'");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "persisted=1", "persisted>1", "persisted", "persisted>=1 & in_memory>=2", "persisted>=1 >= 2", ">=1" })
    void shouldRejectBadSyntax(final String expression)
    {
        final InvalidPolicyException ex = assertThrows(InvalidPolicyException.class, () -> Policy.parse(expression));
        assertTrue(ex.getMessage().startsWith("bad syntax in clause"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "persisted>=1 &&", "&& persisted>=1", "persisted>=1 && && in_memory>=2", "&&" })
    void shouldRejectEmptyClause(final String expression)
    {
        final InvalidPolicyException ex = assertThrows(InvalidPolicyException.class, () -> Policy.parse(expression));
        assertTrue(ex.getMessage().contains("empty clause"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "persisted>=x", "persisted>=-1", "persisted>=1.5", "persisted>=", "persisted>= 1 2" })
    void shouldRejectCountThatIsNotAWholeNumber(final String expression)
    {
        final InvalidPolicyException ex = assertThrows(InvalidPolicyException.class, () -> Policy.parse(expression));
        assertTrue(ex.getMessage().startsWith("bad count"), ex.getMessage());
    }

    @Test
    void shouldResolveModeNamesIgnoringCase()
    {
        assertSame(DurabilityMode.LOCAL.policy(), Policy.resolve("local"));
        assertSame(DurabilityMode.HYBRID.policy(), Policy.resolve(" HYBRID "));
        assertSame(DurabilityMode.DURABLY_REPLICATED.policy(), Policy.resolve("Durably-Replicated"));
        assertSame(DurabilityMode.REPLICATED.policy(), Policy.resolve("replicated"));
    }

    @Test
    void shouldResolveExpressionEqualToNamedModeAsThatMode()
    {
        assertSame(DurabilityMode.HYBRID.policy(), Policy.resolve("in_memory>=2&&persisted>=1"));
        assertSame(DurabilityMode.LOCAL.policy(), Policy.resolve("persisted>=1"));
        final Policy custom = Policy.resolve("persisted>=2 && in_memory>=3");
        assertNull(custom.mode());
        assertEquals("persisted>=2 && in_memory>=3", custom.description());
    }

    @Test
    void shouldRejectUnknownModeNameListingTheNames()
    {
        final InvalidPolicyException ex = assertThrows(InvalidPolicyException.class, () -> Policy.resolve("fast"));
        assertEquals(
            "unknown durability mode 'fast': expected a mode (local, hybrid, durably-replicated, replicated) or a " +
            "clause expression such as 'persisted>=1 && in_memory>=2'",
            ex.getMessage());
    }

    private static void assertMessage(final String expression, final String expected)
    {
        final InvalidPolicyException ex = assertThrows(InvalidPolicyException.class, () -> Policy.parse(expression));
        assertTrue(ex.getMessage().contains(expected), "'" + ex.getMessage() + "' lacks '" + expected + "'");
    }
}
