package io.switchboard.server.desk;

import io.switchboard.server.config.ServerConfig;
import java.util.function.LongSupplier;

/**
 * The rules that count per client address across every account's desk: new conversations a minute ({@code
 * identifies_per_address_per_minute}) and failed sign-ins per address and user ({@link SignInThrottle}). An address
 * that attacks one account is the same address for the next, so they are shared; everything else a desk keeps is its
 * own account's. Thread-safe (desks of different threads share one); deterministic on a virtual clock.
 */
public final class AddressLimits {
    /** {@code identifies_per_address_per_minute} counts new guests in this window. */
    static final long NEW_GUESTS_WINDOW_MS = 60_000;

    private final CallLimiter newGuests;
    private final SignInThrottle signIns;

    public AddressLimits(LongSupplier clock, ServerConfig.Limits limits) {
        this.newGuests = new CallLimiter(clock, limits.identifiesPerAddressPerMinute(), NEW_GUESTS_WINDOW_MS);
        this.signIns = new SignInThrottle(clock, limits.failedLoginsPerMinute());
    }

    /** Counts a new guest of the address and returns 0, or refuses it: whole seconds until one would pass. */
    public synchronized long newGuest(String source) {
        return source == null ? 0 : newGuests.acquire(source);
    }

    synchronized int newGuestsPerMinute() {
        return newGuests.limit();
    }

    /**
     * Counts a failed sign-in of the pair; returns the seconds it must now wait if it was already waiting (the failure
     * is then answered {@code rate_limited}), or 0 (a plain failure, which may start a wait).
     */
    public synchronized long failedSignIn(String source, String who) {
        boolean waiting = signIns.retryAfter(source, who) > 0;
        signIns.failed(source, who);
        return waiting ? signIns.retryAfter(source, who) : 0;
    }

    /**
     * The refusal of a wrong login, counted as a failed sign-in of the address and user: {@code auth_failed}, or
     * {@code rate_limited} with the wait while the pair is told to wait. (The gate refuses tokens no desk knows the
     * same way.)
     */
    public DeskException failedLogin(String source, String user, DeskMetrics metrics) {
        long retryAfter = failedSignIn(source, user);
        if (retryAfter > 0) {
            metrics.rateLimited("sign_in");
            return DeskException.rateLimited("login: too many failed sign-ins as " + user + " from your address; "
                    + "try again in " + retryAfter + " s", retryAfter);
        }
        return DeskException.refused(io.switchboard.protocol.ErrorCode.AUTH_FAILED,
                "login: user or token not recognised");
    }

    /** The pair signed in: its failures are forgotten. */
    public synchronized void signedIn(String source, String who) {
        signIns.succeeded(source, who);
    }
}
