/**
 * Cluster mode: several nodes on one Redis. {@link io.switchboard.server.cluster.Ownership} holds the leases of the
 * accounts this node owns (fenced by epochs that the commit script checks), renews them, takes free ones by rendezvous
 * placement, and tells the transport where every account is; the durable log is
 * {@link io.switchboard.server.store.RedisJournal}. See docs/design.md#cluster-mode.
 */
package io.switchboard.server.cluster;
