package io.switchboard.server.transport;

import io.netty.handler.codec.http.HttpHeaders;
import io.switchboard.server.config.Secrets;
import io.switchboard.server.gate.Placement;

/**
 * How cluster nodes recognise each other on the connections and requests they forward: a forwarded request carries
 * the cluster's shared secret (kept in Redis, {@code {sb}:secret}) and the client address the forwarding node saw; a
 * request without the secret is a client's like any other, whatever it claims.
 */
final class Peers {
    /** The cluster's shared secret. */
    static final String SECRET = "x-switchboard-peer";
    /** On a forwarded request's answer: this node is not the account's owner, and did nothing with it. */
    static final String NOT_OWNER = "x-switchboard-not-owner";
    /** The client the forwarding node speaks for. */
    static final String CLIENT = "x-switchboard-client";

    private Peers() {
    }

    /** The client a request was forwarded for, or null when it is not a node's forwarded request. */
    static String forwardedClient(HttpHeaders headers, Placement placement) {
        String secret = placement.peerSecret();
        String shown = headers.get(SECRET);
        if (secret == null || shown == null) {
            return null;
        }
        if (!Secrets.same(Secrets.digest(secret), Secrets.digest(shown))) {
            return null;
        }
        String client = headers.get(CLIENT);
        return client == null || client.isBlank() ? null : client;
    }

    /** The headers a forwarded request carries. */
    static void mark(HttpHeaders headers, Placement placement, String client) {
        headers.set(SECRET, placement.peerSecret());
        if (client != null) {
            headers.set(CLIENT, client);
        }
    }
}
