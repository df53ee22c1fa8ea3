package dev.omnibus;

/**
 * What became of this bus's requests and of the replies that reached it, since it was built.
 *
 * @param sent requests sent (the broker confirmed them)
 * @param replied requests completed by a reply, including error replies
 * @param failed requests completed by an error reply ({@link RemoteFailureException})
 * @param timedOut requests that failed with {@link RequestTimeoutException}
 * @param pending requests waiting for their reply now
 * @param late replies that came after their request timed out: dropped
 * @param duplicate replies to a request that already had its reply: dropped
 * @param orphan replies carrying this bus's correlation prefix but naming no request it knows (after a restart, say),
 *     or carrying none: dropped
 */
public record RequestStats(long sent, long replied, long failed, long timedOut, long pending, long late,
    long duplicate, long orphan) {}
