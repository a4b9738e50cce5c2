/**
 * The desk: the single-threaded state machine that holds every rule of the contract. Accounts, groups and their
 * queues, agents and their limits, guests' reservations, rooms and their messages, assignment and wait estimates.
 *
 * <p><b>Threading rule:</b> the desk runs on one thread. Every entry point of {@link io.switchboard.server.desk.Desk}
 * must be called on the thread that created it (asserted), timers fire on that thread through {@link
 * io.switchboard.server.desk.DeskClock}, and nothing here locks, blocks, or uses a concurrent collection. It reaches the
 * outside only through small interfaces ({@link io.switchboard.server.desk.Outbox}, {@link
 * io.switchboard.server.desk.DeskClock}, {@link io.switchboard.server.desk.Ids}), so tests and the simulator drive it
 * with virtual time and no sockets. Given the same inputs and clock it produces the same output. Nothing here imports
 * Netty.
 */
package io.switchboard.server.desk;
