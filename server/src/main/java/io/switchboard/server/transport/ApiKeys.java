package io.switchboard.server.transport;

import io.switchboard.server.config.Secrets;
import io.switchboard.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The API keys of every account, for REST calls (contract §3): {@code Authorization: Bearer <secret>} or HTTP Basic
 * with {@code <key id>:<secret>}. Only SHA-256 digests of the secrets are kept, and every key is compared, always in
 * full and in constant time ({@link Secrets#same}), so neither the answer's time nor its path tells which
 * key, or how much of one, matched. Immutable and thread-safe.
 */
public final class ApiKeys {
    private record Key(String account, String id, byte[] digest) {
    }

    private final List<Key> keys = new ArrayList<>();

    public ApiKeys(ServerConfig config) {
        for (ServerConfig.AccountConfig account : config.accounts()) {
            for (ServerConfig.ApiKeyConfig key : account.apiKeys()) {
                keys.add(new Key(account.id(), key.id(), Secrets.digest(key.secret())));
            }
        }
    }

    /** The account of the key an {@code Authorization} header carries, or null when it carries no valid key. */
    public String account(String authorization) {
        if (authorization == null) {
            return null;
        }
        int space = authorization.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String scheme = authorization.substring(0, space);
        String credentials = authorization.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return match(null, credentials);
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : match(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        return null;
    }

    /** Compares against every key (of that id, for Basic), without stopping at the first match. */
    private String match(String id, String secret) {
        byte[] digest = Secrets.digest(secret);
        String account = null;
        for (Key key : keys) {
            boolean idMatches = id == null || id.equals(key.id);
            if (Secrets.same(digest, key.digest) && idMatches && account == null) {
                account = key.account;
            }
        }
        return account;
    }

}
