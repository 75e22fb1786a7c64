package io.sluice.matching;

import io.sluice.sbe.client.Side;

/**
 * One side of an instrument's book: its price levels in a red-black tree keyed by {@link PriceLevel#key}, threaded
 * by a best-to-worst list so that the best level is always at hand.
 * <p>
 * Removing a level relinks tree nodes instead of copying keys between them, so a level object keeps its identity
 * for as long as it is in the tree; orders point at their level. Written only by the engine thread.
 */
final class BookSide
{
    private final Side side;
    private final boolean bid;
    private final PriceLevelPool levelPool;

    private PriceLevel root;
    private PriceLevel best;
    private int levelCount;

    BookSide(final Side side, final PriceLevelPool levelPool)
    {
        this.side = side;
        this.bid = side == Side.BUY;
        this.levelPool = levelPool;
    }

    Side side()
    {
        return side;
    }

    PriceLevel best()
    {
        return best;
    }

    int levelCount()
    {
        return levelCount;
    }

    /**
     * Would an incoming order of the other side with this limit price trade against the level?
     *
     * @param level      a level of this side.
     * @param limitPrice the limit price of an order of the opposite side.
     * @return true if the prices cross.
     */
    boolean crosses(final PriceLevel level, final long limitPrice)
    {
        return bid ? level.price >= limitPrice : level.price <= limitPrice;
    }

    PriceLevel find(final long price)
    {
        final long key = bid ? -price : price;
        PriceLevel node = root;
        while (null != node)
        {
            if (key < node.key)
            {
                node = node.left;
            }
            else if (key > node.key)
            {
                node = node.right;
            }
            else
            {
                return node;
            }
        }

        return null;
    }

    /**
     * Append an order at the back of the queue of its price, creating the level if needed.
     *
     * @param order to rest; its price and leaves quantity are set.
     */
    void add(final Order order)
    {
        findOrInsert(order.price).append(order);
    }

    /**
     * Take an order out of its level, removing the level once it is empty.
     *
     * @param order resting on this side.
     */
    void remove(final Order order)
    {
        final PriceLevel level = order.level;
        level.remove(order);
        if (0 == level.orderCount)
        {
            removeLevel(level);
        }
    }

    /**
     * Reduce the leaves quantity of a resting order in place, keeping its time priority.
     *
     * @param order    resting on this side.
     * @param quantity to take off its leaves; less than the leaves.
     */
    static void reduce(final Order order, final long quantity)
    {
        order.leavesQuantity -= quantity;
        order.level.totalQuantity -= quantity;
    }

    /**
     * Return every level to the pool; the orders are the caller's business.
     */
    void clear()
    {
        PriceLevel level = best;
        while (null != level)
        {
            final PriceLevel next = level.worse;
            levelPool.release(level);
            level = next;
        }
        root = null;
        best = null;
        levelCount = 0;
    }

    PriceLevel findOrInsert(final long price)
    {
        final long key = bid ? -price : price;
        PriceLevel parent = null;
        PriceLevel node = root;
        boolean goLeft = false;
        while (null != node)
        {
            parent = node;
            if (key < node.key)
            {
                goLeft = true;
                node = node.left;
            }
            else if (key > node.key)
            {
                goLeft = false;
                node = node.right;
            }
            else
            {
                return node;
            }
        }

        final PriceLevel level = levelPool.acquire();
        level.price = price;
        level.key = key;
        level.parent = parent;
        level.red = true;
        levelCount++;

        if (null == parent)
        {
            root = level;
            best = level;
        }
        else if (goLeft)
        {
            // An empty left slot of parent: the new level comes immediately before parent in key order.
            parent.left = level;
            final PriceLevel before = parent.better;
            level.better = before;
            level.worse = parent;
            parent.better = level;
            if (null == before)
            {
                best = level;
            }
            else
            {
                before.worse = level;
            }
        }
        else
        {
            parent.right = level;
            final PriceLevel after = parent.worse;
            level.better = parent;
            level.worse = after;
            parent.worse = level;
            if (null != after)
            {
                after.better = level;
            }
        }

        fixAfterInsert(level);

        return level;
    }

    void removeLevel(final PriceLevel z)
    {
        final PriceLevel before = z.better;
        final PriceLevel after = z.worse;
        if (null == before)
        {
            best = after;
        }
        else
        {
            before.worse = after;
        }
        if (null != after)
        {
            after.better = before;
        }

        PriceLevel x;
        PriceLevel xParent;
        boolean removedBlack = !z.red;
        if (null == z.left)
        {
            x = z.right;
            xParent = z.parent;
            transplant(z, z.right);
        }
        else if (null == z.right)
        {
            x = z.left;
            xParent = z.parent;
            transplant(z, z.left);
        }
        else
        {
            // The in-order successor is the next worse level, already at hand from the list.
            final PriceLevel y = after;
            removedBlack = !y.red;
            x = y.right;
            if (y.parent == z)
            {
                xParent = y;
            }
            else
            {
                xParent = y.parent;
                transplant(y, y.right);
                y.right = z.right;
                y.right.parent = y;
            }
            transplant(z, y);
            y.left = z.left;
            y.left.parent = y;
            y.red = z.red;
        }

        if (removedBlack)
        {
            fixAfterRemove(x, xParent);
        }

        levelCount--;
        levelPool.release(z);
    }

    private void transplant(final PriceLevel u, final PriceLevel v)
    {
        final PriceLevel parent = u.parent;
        if (null == parent)
        {
            root = v;
        }
        else if (u == parent.left)
        {
            parent.left = v;
        }
        else
        {
            parent.right = v;
        }

        if (null != v)
        {
            v.parent = parent;
        }
    }

    private void fixAfterInsert(final PriceLevel inserted)
    {
        PriceLevel z = inserted;
        while (null != z.parent && z.parent.red)
        {
            PriceLevel p = z.parent;
            final PriceLevel g = p.parent;
            if (p == g.left)
            {
                final PriceLevel uncle = g.right;
                if (null != uncle && uncle.red)
                {
                    p.red = false;
                    uncle.red = false;
                    g.red = true;
                    z = g;
                }
                else
                {
                    if (z == p.right)
                    {
                        z = p;
                        rotateLeft(z);
                        p = z.parent;
                    }
                    p.red = false;
                    g.red = true;
                    rotateRight(g);
                }
            }
            else
            {
                final PriceLevel uncle = g.left;
                if (null != uncle && uncle.red)
                {
                    p.red = false;
                    uncle.red = false;
                    g.red = true;
                    z = g;
                }
                else
                {
                    if (z == p.left)
                    {
                        z = p;
                        rotateRight(z);
                        p = z.parent;
                    }
                    p.red = false;
                    g.red = true;
                    rotateLeft(g);
                }
            }
        }
        root.red = false;
    }

    private void fixAfterRemove(final PriceLevel removedChild, final PriceLevel removedParent)
    {
        PriceLevel x = removedChild;
        PriceLevel xParent = removedParent;
        while (x != root && (null == x || !x.red))
        {
            if (x == xParent.left)
            {
                PriceLevel w = xParent.right;
                if (w.red)
                {
                    w.red = false;
                    xParent.red = true;
                    rotateLeft(xParent);
                    w = xParent.right;
                }

                if (isBlack(w.left) && isBlack(w.right))
                {
                    w.red = true;
                    x = xParent;
                    xParent = x.parent;
                }
                else
                {
                    if (isBlack(w.right))
                    {
                        w.left.red = false;
                        w.red = true;
                        rotateRight(w);
                        w = xParent.right;
                    }
                    w.red = xParent.red;
                    xParent.red = false;
                    if (null != w.right)
                    {
                        w.right.red = false;
                    }
                    rotateLeft(xParent);
                    x = root;
                    xParent = null;
                }
            }
            else
            {
                PriceLevel w = xParent.left;
                if (w.red)
                {
                    w.red = false;
                    xParent.red = true;
                    rotateRight(xParent);
                    w = xParent.left;
                }

                if (isBlack(w.left) && isBlack(w.right))
                {
                    w.red = true;
                    x = xParent;
                    xParent = x.parent;
                }
                else
                {
                    if (isBlack(w.left))
                    {
                        w.right.red = false;
                        w.red = true;
                        rotateLeft(w);
                        w = xParent.left;
                    }
                    w.red = xParent.red;
                    xParent.red = false;
                    if (null != w.left)
                    {
                        w.left.red = false;
                    }
                    rotateRight(xParent);
                    x = root;
                    xParent = null;
                }
            }
        }

        if (null != x)
        {
            x.red = false;
        }
    }

    private static boolean isBlack(final PriceLevel node)
    {
        return null == node || !node.red;
    }

    private void rotateLeft(final PriceLevel x)
    {
        final PriceLevel y = x.right;
        x.right = y.left;
        if (null != y.left)
        {
            y.left.parent = x;
        }
        y.parent = x.parent;
        if (null == x.parent)
        {
            root = y;
        }
        else if (x == x.parent.left)
        {
            x.parent.left = y;
        }
        else
        {
            x.parent.right = y;
        }
        y.left = x;
        x.parent = y;
    }

    private void rotateRight(final PriceLevel x)
    {
        final PriceLevel y = x.left;
        x.left = y.right;
        if (null != y.right)
        {
            y.right.parent = x;
        }
        y.parent = x.parent;
        if (null == x.parent)
        {
            root = y;
        }
        else if (x == x.parent.right)
        {
            x.parent.right = y;
        }
        else
        {
            x.parent.left = y;
        }
        y.right = x;
        x.parent = y;
    }

    /**
     * Check the red-black and list invariants; for tests.
     *
     * @return the black height of the tree.
     * @throws IllegalStateException if an invariant is broken.
     */
    int verifyInvariants()
    {
        if (null != root && (root.red || null != root.parent))
        {
            throw new IllegalStateException("root must be black and parentless");
        }
        final int blackHeight = verifySubtree(root);

        int count = 0;
        PriceLevel previous = null;
        for (PriceLevel level = best; null != level; level = level.worse)
        {
            if (level.better != previous)
            {
                throw new IllegalStateException("broken better link at " + level.price);
            }
            if (null != previous && previous.key >= level.key)
            {
                throw new IllegalStateException("levels out of order at " + level.price);
            }
            if (level.key != (bid ? -level.price : level.price))
            {
                throw new IllegalStateException("bad key at " + level.price);
            }
            previous = level;
            count++;
        }
        if (count != levelCount)
        {
            throw new IllegalStateException("level count " + levelCount + " but list holds " + count);
        }
        if (countSubtree(root) != levelCount)
        {
            throw new IllegalStateException("tree size differs from level count");
        }

        return blackHeight;
    }

    private static int verifySubtree(final PriceLevel node)
    {
        if (null == node)
        {
            return 1;
        }
        if (null != node.left && (node.left.parent != node || node.left.key >= node.key))
        {
            throw new IllegalStateException("bad left child at " + node.price);
        }
        if (null != node.right && (node.right.parent != node || node.right.key <= node.key))
        {
            throw new IllegalStateException("bad right child at " + node.price);
        }
        if (node.red && (!isBlack(node.left) || !isBlack(node.right)))
        {
            throw new IllegalStateException("red node with red child at " + node.price);
        }
        final int left = verifySubtree(node.left);
        final int right = verifySubtree(node.right);
        if (left != right)
        {
            throw new IllegalStateException("unequal black height at " + node.price);
        }

        return left + (node.red ? 0 : 1);
    }

    private static int countSubtree(final PriceLevel node)
    {
        return null == node ? 0 : 1 + countSubtree(node.left) + countSubtree(node.right);
    }
}
