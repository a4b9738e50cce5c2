/**
 * The gate: the one way into the desks. It owns the desk threads ({@code desk_threads}; each account's desk lives on
 * one of them and is only ever touched there), routes each connection and request to its account's desk ({@link
 * io.switchboard.server.gate.DeskGate}), runs every desk call as one turn (run, end the turn, flush the outbox), and
 * lets what the turn said go once it is durable ({@link io.switchboard.server.gate.Release}). Connections that have
 * not signed in wait in the lobby. The transport sees only the gate, never a desk; cluster mode plugs a remote owner
 * in here. Nothing here imports Netty.
 */
package io.switchboard.server.gate;
