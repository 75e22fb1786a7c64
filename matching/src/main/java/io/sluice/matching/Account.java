package io.sluice.matching;

/**
 * One trading account: its live orders in order of entry (ascending exchange order id, because orders are only
 * ever appended when they are accepted) and its self-trade prevention mode. Derived state: rebuilt from the orders
 * on restore, so it is neither hashed nor snapshotted. Written only by the engine thread.
 */
final class Account
{
    final long accountId;
    final SelfTradePrevention selfTradePrevention;

    Order head;
    Order tail;
    /** Number of live orders of the account: the length of the list. */
    int openOrders;

    Account(final long accountId, final SelfTradePrevention selfTradePrevention)
    {
        this.accountId = accountId;
        this.selfTradePrevention = selfTradePrevention;
    }

    void append(final Order order)
    {
        order.account = this;
        order.prevInAccount = tail;
        order.nextInAccount = null;
        if (null == tail)
        {
            head = order;
        }
        else
        {
            tail.nextInAccount = order;
        }
        tail = order;
        openOrders++;
    }

    void remove(final Order order)
    {
        final Order prev = order.prevInAccount;
        final Order next = order.nextInAccount;
        if (null == prev)
        {
            head = next;
        }
        else
        {
            prev.nextInAccount = next;
        }

        if (null == next)
        {
            tail = prev;
        }
        else
        {
            next.prevInAccount = prev;
        }

        order.prevInAccount = null;
        order.nextInAccount = null;
        openOrders--;
    }
}
