package io.switchboard.server;

import io.switchboard.server.gate.Placement;
import java.util.List;

/** What the cluster tests ask of their nodes. */
final class ClusterNodes {
    private ClusterNodes() {
    }

    /** The node that owns the account, once one does and every other node knows it is there (waits for it). */
    static SwitchboardServer awaitOwner(List<SwitchboardServer> nodes, String account) {
        SwitchboardServer[] found = new SwitchboardServer[1];
        Http.await("an owner of " + account, () -> {
            for (SwitchboardServer node : nodes) {
                if (node.placement().ownerOf(account).kind() == Placement.Kind.HERE) {
                    found[0] = node;
                    return nodes.stream().allMatch(other -> other == node
                            || other.placement().ownerOf(account).kind() == Placement.Kind.THERE);
                }
            }
            return false;
        });
        return found[0];
    }
}
