package io.sluice.matching;

import io.sluice.sbe.client.RejectReason;

import java.util.List;

/**
 * Compact text form of reports so tests can state whole report sequences at a glance:
 * {@code "EXECTYPE clientOrderId leaves=L cum=C [last=Q@P LIQUIDITY] [REASON]"}.
 */
final class Reports
{
    private Reports()
    {
    }

    static String describe(final RecordingListener.Report report)
    {
        final StringBuilder text = new StringBuilder()
            .append(report.execType()).append(' ').append(report.clientOrderId())
            .append(" leaves=").append(report.leavesQuantity())
            .append(" cum=").append(report.cumQuantity());
        if (0 != report.lastQuantity())
        {
            text.append(" last=").append(report.lastQuantity()).append('@').append(report.lastPrice())
                .append(' ').append(report.liquidity());
        }
        if (RejectReason.NONE != report.rejectReason())
        {
            text.append(' ').append(report.rejectReason());
        }
        return text.toString();
    }

    static List<String> describe(final List<RecordingListener.Report> reports)
    {
        return reports.stream().map(Reports::describe).toList();
    }
}
